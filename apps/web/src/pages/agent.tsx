import { Page } from '../ui/components.tsx';

export default function Placeholder(_: { slug?: string; id?: string }) {
  return <Page title="agent">Coming soon.</Page>;
}
