import { Page } from '../ui/components.tsx';

export default function Placeholder() {
  return <Page title="new-agent">Coming soon.</Page>;
}
