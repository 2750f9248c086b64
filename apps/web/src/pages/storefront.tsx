import { Page } from '../ui/components.tsx';

export function Storefront() {
  return <Page title="Agents">Coming soon.</Page>;
}
