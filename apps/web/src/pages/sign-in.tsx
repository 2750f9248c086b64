import { Page } from '../ui/components.tsx';

export default function SignInPage({ mode }: { mode: 'sign-in' | 'sign-up' }) {
  return <Page title={mode}>Coming soon.</Page>;
}
