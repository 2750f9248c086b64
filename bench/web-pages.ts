import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';

export interface PageWeight {
  page: string;
  /** JavaScript the page loads (its chunks), gzipped. */
  jsGzip: number;
  cssGzip: number;
  /** Whether three.js (the 3D viewer) is among them. */
  loadsViewer: boolean;
}

export interface Interactive {
  /** From navigation start until the first agent card can be clicked (median of the runs). */
  medianMs: number;
  p90Ms: number;
  domContentLoadedMs: number;
  runs: number;
}

/** Every script and stylesheet a page fetches from `/assets/`, with its size gzipped, on a cold cache. */
export async function measureWeight(
  browser: Browser,
  url: string,
  dist: string,
  pages: { name: string; path: string; ready: (page: Page) => Promise<unknown> }[],
  /** The session cookie (`name=value`) for pages behind sign-in. */
  session?: string,
): Promise<PageWeight[]> {
  const gz = (file: string) => gzipSync(readFileSync(join(dist, 'assets', file)), { level: 9 }).length;
  const viewerChunks = new Set(
    readdirSync(join(dist, 'assets')).filter(
      (f) =>
        f.endsWith('.js') && /WebGLRenderer|GLTFLoader/.test(readFileSync(join(dist, 'assets', f), 'utf8')),
    ),
  );
  const out: PageWeight[] = [];
  for (const p of pages) {
    const context = await browser.newContext({ baseURL: url });
    if (session) {
      const [name, value] = session.split('=') as [string, string];
      await context.addCookies([{ name, value, url }]);
    }
    const page = await context.newPage();
    const assets = new Set<string>();
    page.on('request', (r) => {
      const m = /\/assets\/([^?]+)$/.exec(new URL(r.url()).pathname);
      if (m) assets.add(m[1]!);
    });
    await page.goto(p.path);
    await p.ready(page);
    await page.waitForLoadState('networkidle');
    const files = [...assets];
    out.push({
      page: p.name,
      jsGzip: files.filter((f) => f.endsWith('.js')).reduce((n, f) => n + gz(f), 0),
      cssGzip: files.filter((f) => f.endsWith('.css')).reduce((n, f) => n + gz(f), 0),
      loadsViewer: files.some((f) => viewerChunks.has(f)),
    });
    await context.close();
  }
  return out;
}

/** The storefront on a cold cache, `runs` times: navigation start → the first agent card is visible. */
export async function measureStorefront(browser: Browser, url: string, runs: number): Promise<Interactive> {
  const times: number[] = [];
  const dcl: number[] = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ baseURL: url });
    const page = await context.newPage();
    await page.goto('/');
    await page.locator('a[href^="/agents/"]').first().waitFor({ state: 'visible' });
    const t = await page.evaluate(() => {
      // Runs in the page (DOM types are not in this project's lib).
      const timing = performance as unknown as {
        getEntriesByType(type: string): { domContentLoadedEventEnd: number }[];
      };
      const nav = timing.getEntriesByType('navigation')[0]!;
      return { now: performance.now(), dcl: nav.domContentLoadedEventEnd };
    });
    times.push(t.now);
    dcl.push(t.dcl);
    await context.close();
  }
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const dclSorted = [...dcl].sort((a, b) => a - b);
  return {
    medianMs: at(0.5),
    p90Ms: at(0.9),
    domContentLoadedMs: dclSorted[Math.floor(dclSorted.length / 2)]!,
    runs,
  };
}
