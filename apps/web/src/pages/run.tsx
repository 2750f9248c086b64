import { Page } from '../ui/components.tsx';

export default function Placeholder(_: { slug?: string; id?: string }) {
  return <Page title="run">Coming soon.</Page>;
}
