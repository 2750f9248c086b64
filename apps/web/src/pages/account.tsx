import { SignedInPage } from '../ui/account-kit.tsx';
import { Page } from '../ui/components.tsx';
import { ApiKeys } from './account/api-keys.tsx';
import { Profile } from './account/profile.tsx';
import { WebhookEndpoints } from './account/webhook-endpoints.tsx';

/** The account: profile, API keys (shown once), webhook endpoints and their deliveries. */
export default function AccountPage() {
  return (
    <SignedInPage title="Account" what="your account">
      {(me) => (
        <Page title="Account">
          <Profile me={me} />
          <ApiKeys />
          <WebhookEndpoints />
        </Page>
      )}
    </SignedInPage>
  );
}
