import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startWebApp, type WebApp } from './harness.ts';

/** The app shell in Chromium: served by the API process, deep links, no request leaves the machine. */
describe.skipIf(!hasChromium)('the web app shell', () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await startWebApp();
  });
  afterAll(() => web?.close());

  it('serves the app at any deep link, from this origin only, and the API beside it', async () => {
    const context = await web.context();
    const page = await context.newPage();
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(web.url) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
    await page.goto('/wallet');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 }).first().textContent()).resolves.toBeTruthy();
    expect(foreign).toEqual([]);
    const api = await page.request.get('/v1/nowhere');
    expect(api.status()).toBe(404);
    expect(api.headers()['content-type']).toBe('application/problem+json');
    await context.close();
  });
});
