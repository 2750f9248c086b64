import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distinctColours } from './canvas.ts';
import {
  accessibilityViolations,
  hasChromium,
  screenshot,
  signUpInBrowser,
  startWebApp,
  type WebApp,
} from './harness.ts';

const FAILING_BUNDLE =
  'export default { async run(ctx, input) { ctx.progress(30, "trying"); if (input.text === "boom") throw new Error("it broke on purpose"); await ctx.artifact("out.txt", input.text, "text/plain"); } };';

/**
 * A buyer's first visit, clicked through the web app as a person would: sign up, find the 3D
 * character by searching, run it from its page, follow it to the end, look at the model, download
 * it and rate it; then a run that fails, and its refund in the wallet.
 */
describe.skipIf(!hasChromium)('a buyer’s first visit, in Chromium', () => {
  let web: WebApp;
  const FAILING = `fragile-${Date.now().toString(36)}`;
  let makerCookie = '';

  beforeAll(async () => {
    web = await startWebApp();
    // A creator publishes an agent that fails on "boom" (through the API: the studio has its own test).
    const post = (path: string, body: unknown, cookie: string, method = 'POST') =>
      fetch(`${web.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify(body),
      });
    const signUp = await fetch(`${web.url}/v1/auth/sign-up`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'maker@example.com', password: 'a long enough password', name: 'Maker' }),
    });
    const cookie = signUp.headers.get('set-cookie')!.split(';')[0]!;
    makerCookie = cookie;
    expect(
      (
        await post(
          '/v1/me/creator-profile',
          { handle: 'fragile-labs', displayName: 'Fragile Labs' },
          cookie,
          'PUT',
        )
      ).status,
    ).toBe(200);
    const draft = await post(
      '/v1/agents',
      {
        manifest: {
          manifestVersion: 1,
          slug: FAILING,
          name: 'Fragile echo',
          summary: 'Echoes the text, and breaks on "boom".',
          category: 'writing',
          version: '1.0.0',
          input: {
            type: 'object',
            required: ['text'],
            properties: { text: { type: 'string', title: 'Text' } },
          },
          outputs: [{ name: 'out.txt', mediaType: 'text/plain' }],
          pricing: { model: 'per_run', credits: 9 },
          runtime: { kind: 'code', entry: 'agent.js' },
          tests: [{ name: 'echoes', input: { text: 'hi' }, checks: [{ kind: 'succeeds' }] }],
        },
        bundle: FAILING_BUNDLE,
      },
      cookie,
    );
    expect(draft.status).toBe(201);
    expect((await post(`/v1/agents/${FAILING}/versions/1.0.0/publish`, {}, cookie)).status).toBe(200);
  }, 120_000);
  afterAll(() => web?.close());

  const available = (page: Page) =>
    page.getByRole('region', { name: 'Available', exact: true }).textContent();

  it('finds, runs, watches, views, downloads and rates the 3D character; a failed run is refunded', async () => {
    const context = await web.context();
    const page = await context.newPage();
    await signUpInBrowser(page, 'First buyer');
    await page.goto('/wallet');
    await expect(available(page)).resolves.toContain('200 credits');

    // Found by search, typo and all.
    await page.goto('/');
    await page.getByRole('searchbox', { name: 'Search agents' }).fill('charcter');
    await page.getByRole('link', { name: '3D character' }).click();
    await page.getByRole('heading', { level: 1, name: '3D character' }).waitFor();
    await page.getByText('Quote: 35 credits ($0.35)').waitFor();
    await screenshot(page, 'journey-agent-page');
    await page.getByRole('button', { name: 'Run' }).click();

    // The run page follows it live to the end.
    await page.waitForURL(/\/runs\/run_/);
    await page.locator('.run-status', { hasText: 'Succeeded' }).waitFor();
    await expect(
      page.getByRole('progressbar', { name: 'Run progress' }).getAttribute('aria-valuenow'),
    ).resolves.toBe('100');
    const viewer = page.locator('.glb-viewer[data-state="ready"]');
    await viewer.waitFor();
    expect(await distinctColours(viewer.locator('canvas'))).toBeGreaterThan(20);
    await screenshot(page, 'journey-run-3d');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download character.glb' }).click(),
    ]);
    const glb = readFileSync((await download.path())!);
    expect(glb.subarray(0, 4).toString('latin1')).toBe('glTF');

    await page.getByRole('radio', { name: '5 stars' }).check();
    await page.getByLabel('Your review (optional)').fill('Exactly the hero I needed.');
    await page.getByRole('button', { name: 'Submit the review' }).click();
    await page.getByRole('heading', { name: 'Your review' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);

    // The review is on the agent's page for everyone.
    await page.goto('/agents/3d-character');
    await page.getByText('Exactly the hero I needed.').waitFor();

    // A run that fails: the page says whose fault it was, and the wallet shows the money back.
    await page.goto(`/agents/${FAILING}`);
    await page.getByLabel('Text').fill('boom');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.waitForURL(/\/runs\/run_/);
    await page.locator('.run-status', { hasText: 'Failed' }).waitFor();
    await page.getByText('The agent failed').first().waitFor();
    await page.getByText(/9 credits \(\$0\.09\) were returned to your wallet/).waitFor();
    await screenshot(page, 'journey-run-failed');

    // A failed run can be rated too; the creator answers, and both show on the agent's page.
    await page.getByRole('radio', { name: '2 stars' }).check();
    await page.getByLabel('Your review (optional)').fill('Broke on my input.');
    await page.getByRole('button', { name: 'Submit the review' }).click();
    await page.getByRole('heading', { name: 'Your review' }).waitFor();
    const reviews = (await (await fetch(`${web.url}/v1/agents/${FAILING}/reviews`)).json()) as {
      data: { id: string }[];
    };
    const reply = await fetch(`${web.url}/v1/reviews/${reviews.data[0]!.id}/reply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: makerCookie },
      body: JSON.stringify({ body: 'Sorry: "boom" is refused on purpose, and 1.0.1 will say so.' }),
    });
    expect(reply.status).toBe(200);
    await page.goto(`/agents/${FAILING}`);
    await page.getByText('Broke on my input.').waitFor();
    await page.getByText('Sorry: "boom" is refused on purpose').waitFor();

    await page.goto('/wallet');
    // 200 welcome credits, 35 paid for the character, 9 held and given back.
    await expect(available(page)).resolves.toContain('165 credits');
    await page
      .getByRole('cell', { name: /Released from a hold/ })
      .first()
      .waitFor();
    await screenshot(page, 'journey-wallet');
    await context.close();
  });
});
