import type { Page } from 'playwright-core';
import { startWebApp } from '../../apps/web/e2e/harness.ts';
import { describeMachine } from '../machine.ts';
import { replaceSection } from '../report.ts';
import { partial } from '../settings.ts';
import { measureStorefront, measureWeight } from '../web-pages.ts';

/** `BENCH_ONLY=web`: page weight and the storefront's time to interactive, on a production build. */
export async function webBench(): Promise<void> {
  const web = await startWebApp();
  const browser = web.browser;
  try {
    // A signed-in buyer with a finished 3D character run, for the pages behind sign-in.
    const signUp = await fetch(`${web.url}/v1/auth/sign-up`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.com', password: 'a long enough password', name: 'Bench' }),
    });
    const session = signUp.headers.get('set-cookie')!.split(';')[0]!;
    const headers = { cookie: session, 'content-type': 'application/json' };
    const run = (await (
      await fetch(`${web.url}/v1/runs`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ agent: '3d-character', input: {} }),
      })
    ).json()) as { id: string };
    for (let i = 0; i < 600; i++) {
      const r = (await (await fetch(`${web.url}/v1/runs/${run.id}`, { headers })).json()) as {
        status: string;
      };
      if (r.status === 'succeeded') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const heading = (page: Page) => page.getByRole('heading', { level: 1 }).first().waitFor();
    const weights = await measureWeight(
      browser,
      web.url,
      web.dist,
      [
        {
          name: 'storefront (`/`)',
          path: '/',
          ready: (p) => p.locator('a[href^="/agents/"]').first().waitFor(),
        },
        { name: 'agent page (`/agents/3d-character`)', path: '/agents/3d-character', ready: heading },
        {
          name: 'run page, 3D model (`/runs/:id`)',
          path: `/runs/${run.id}`,
          ready: (p) => p.locator('canvas').first().waitFor(),
        },
        { name: 'wallet (`/wallet`)', path: '/wallet', ready: heading },
        { name: 'creator studio (`/studio`)', path: '/studio', ready: heading },
      ],
      session,
    );
    const tti = await measureStorefront(browser, web.url, 15);
    const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
    for (const w of weights)
      console.log(`${w.page}: JS ${kb(w.jsGzip)}, CSS ${kb(w.cssGzip)}, viewer ${w.loadsViewer}`);
    console.log(
      `storefront interactive: median ${tti.medianMs.toFixed(0)} ms, p90 ${tti.p90Ms.toFixed(0)} ms`,
    );
    if (partial) return;
    const section = [
      '## Web app: page weight and the storefront’s time to interactive',
      '',
      `- Machine: ${describeMachine()}`,
      '- Command: `BENCH_ONLY=web npm run bench` (a production build, served by the API process on the embedded',
      '  database; headless Debian Chromium on the same machine; every page on a cold cache)',
      '- Weight: every script and stylesheet the page fetches until the network is idle, gzipped (level 9).',
      '  Target: main-page JavaScript under 200 kB gzipped, the 3D viewer only on pages that show a model.',
      '',
      '| page | JavaScript (gzip) | CSS (gzip) | loads the 3D viewer |',
      '| --- | --- | --- | --- |',
      ...weights.map(
        (w) => `| ${w.page} | ${kb(w.jsGzip)} | ${kb(w.cssGzip)} | ${w.loadsViewer ? 'yes' : 'no'} |`,
      ),
      '',
      `Storefront, time to interactive (navigation start until the first agent card is visible and clickable,`,
      `as Playwright sees it), ${tti.runs} cold loads: median ${tti.medianMs.toFixed(0)} ms, p90 ${tti.p90Ms.toFixed(0)} ms`,
      `(DOMContentLoaded: ${tti.domContentLoadedMs.toFixed(0)} ms).`,
      '',
    ].join('\n');
    replaceSection(
      'BENCHMARKS.md',
      '## Web app: page weight and the storefront’s time to interactive',
      section,
    );
  } finally {
    await web.close();
  }
}
