/** 1 credit = US$0.01: shown together, so that nobody has to do the sum. */
export function credits(n: number): string {
  const dollars = (n / 100).toLocaleString('en-US', { style: 'currency', currency: 'USD' });
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'credit' : 'credits'} (${dollars})`;
}

export function shortCredits(n: number): string {
  return `${n.toLocaleString('en-US')} cr`;
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '';
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function percent(x: number | null | undefined): string {
  return x === null || x === undefined ? '—' : `${Math.round(x * 100)}%`;
}
