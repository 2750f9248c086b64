import { Page } from '../ui/components.tsx';

export default function Placeholder() {
  return <Page title="runs">Coming soon.</Page>;
}
