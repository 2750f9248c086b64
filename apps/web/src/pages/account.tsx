import { Page } from '../ui/components.tsx';

export default function Placeholder() {
  return <Page title="account">Coming soon.</Page>;
}
