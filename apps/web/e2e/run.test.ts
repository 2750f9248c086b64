import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distinctColours } from './canvas.ts';
import { accessibilityViolations, hasChromium, screenshot, startWebApp, type WebApp } from './harness.ts';

interface RunJson {
  id: string;
  quote: number;
  status: string;
}

/**
 * The run page in Chromium, on real runs of the built-in agents and of a published code agent: live
 * progress to the end, charges, previews (3D, SVG, Markdown, CSV), downloads, a question answered in
 * place, a failure with its fault and refund, and a review.
 */
describe.skipIf(!hasChromium)('the run page', () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await startWebApp();
  }, 120_000);
  afterAll(() => web?.close());

  let n = 0;
  /** A fresh browser profile signed up as a new buyer (the session cookie is the page's). */
  const buyer = async (options: { phone?: boolean } = {}) => {
    const context = await web.context(options);
    const page = await context.newPage();
    const res = await page.request.post('/v1/auth/sign-up', {
      data: {
        email: `run-${Date.now()}-${++n}@example.com`,
        password: 'a long enough password',
        name: `Run tester ${n}`,
      },
    });
    expect(res.status()).toBe(201);
    return { context, page };
  };

  const startRun = async (page: Page, agent: string, input: Record<string, unknown>): Promise<RunJson> => {
    const res = await page.request.post('/v1/runs', { data: { agent, input } });
    expect(res.ok(), await res.text()).toBe(true);
    return (await res.json()) as RunJson;
  };

  /** Opens the run page and waits for the status the stream brings. */
  const openRun = async (page: Page, id: string, status: string) => {
    await page.goto(`/runs/${id}`);
    await page.locator('.run-status', { hasText: status }).waitFor();
  };

  it('follows a 3D character to the end: charges, an interactive model, its download, a review', async () => {
    const { context, page } = await buyer();
    const run = await startRun(page, '3d-character', { hat: true, backpack: true });
    await openRun(page, run.id, 'Succeeded');

    await expect(
      page.getByRole('progressbar', { name: 'Run progress' }).getAttribute('aria-valuenow'),
    ).resolves.toBe('100');
    // Each charge as the agent made it, and the running total against the quote.
    const charges = page.locator('.run-charges li');
    await charges.first().waitFor();
    await expect(charges.allTextContents()).resolves.toEqual(
      expect.arrayContaining([expect.stringContaining('model')]),
    );
    await expect(page.locator('.run-charges-total').textContent()).resolves.toContain(
      `of the ${run.quote} credits`,
    );
    // The log lines the agent wrote.
    await expect(page.getByRole('region', { name: 'Log lines' }).textContent()).resolves.toContain(
      'character.glb',
    );

    // The viewer: three.js loaded, the model framed and drawn (many colours: shading, skin, clothes).
    const viewer = page.locator('.glb-viewer[data-state="ready"]');
    await viewer.waitFor();
    await expect(viewer.locator('figcaption').textContent()).resolves.toMatch(/triangles.*tall/);
    expect(await distinctColours(viewer.locator('canvas'))).toBeGreaterThan(20);
    // Its controls work from the keyboard.
    await page.getByRole('button', { name: 'Turn left' }).focus();
    await page.keyboard.press('Enter');

    // Downloading through the link gives the binary glTF itself.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download character.glb' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('character.glb');
    const glb = readFileSync((await download.path())!);
    expect(glb.subarray(0, 4).toString('latin1')).toBe('glTF');

    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'run-3d');

    // Five stars and a few words; the review is shown once sent, and a second one is refused gently.
    await page.getByRole('radio', { name: '5 stars' }).check();
    await page.getByLabel('Your review (optional)').fill('A fine hero, hat and all.');
    await page.getByRole('button', { name: 'Submit the review' }).click();
    await page.getByRole('heading', { name: 'Your review' }).waitFor();
    await page.getByRole('img', { name: '5 out of 5 stars' }).waitFor();
    await expect(page.locator('.run-review-body').textContent()).resolves.toBe('A fine hero, hat and all.');
    await page.reload();
    await page.locator('.run-status', { hasText: 'Succeeded' }).waitFor();
    await page.getByRole('radio', { name: '3 stars' }).check();
    await page.getByRole('button', { name: 'Submit the review' }).click();
    await page.getByText('You have already reviewed this run.').waitFor();
    await context.close();
  });

  it('shows a brand kit: the SVG logo as an image, the Markdown rendered without scripts', async () => {
    const { context, page } = await buyer();
    const run = await startRun(page, 'brand-kit', { company: 'Acme', mood: 'bold' });
    await openRun(page, run.id, 'Succeeded');

    const logo = page.getByRole('img', { name: 'Preview of logo.svg' });
    await logo.waitFor();
    await expect(logo.getAttribute('src')).resolves.toMatch(/^blob:/);
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('img.artifact-svg');
      return img?.complete && img.naturalWidth > 0;
    });
    // The SVG is never put into the page as markup.
    expect(await page.locator('.artifact svg').count()).toBe(0);

    const notes = page.getByRole('article', { name: 'palette.md' }).locator('.markdown');
    await notes.locator('h1, h2, h3, h4, h5, h6').first().waitFor();
    expect(await notes.locator('script, [onerror], [onload], iframe').count()).toBe(0);
    await expect(notes.textContent()).resolves.toMatch(/contrast/i);

    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'run-brand-kit');
    await context.close();
  });

  it('shows the cleaned CSV of a data-cleaner run as a table', async () => {
    const { context, page } = await buyer();
    const csv = [
      'name,city,amount',
      ' Alice ,"Paris, France",10',
      'Bob,Lyon,20',
      'Bob,Lyon,20',
      '"Carol ""CJ""",Nice,30',
      '',
    ].join('\n');
    const upload = await page.request.post('/v1/files?name=x.csv&agent=data-cleaner&field=csv', {
      headers: { 'content-type': 'text/csv' },
      data: csv,
    });
    expect(upload.ok(), await upload.text()).toBe(true);
    const file = (await upload.json()) as { id: string };
    const run = await startRun(page, 'data-cleaner', { csv: [file.id] });
    await openRun(page, run.id, 'Succeeded');

    const table = page.getByRole('region', { name: 'Table preview of cleaned.csv' }).getByRole('table');
    await table.waitFor();
    await expect(table.getByRole('columnheader').allTextContents()).resolves.toEqual([
      'name',
      'city',
      'amount',
    ]);
    const rows = await table
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    // Trimmed, de-duplicated, and the quoted comma and quotes read as the CSV means them.
    expect(rows).toEqual([
      ['Alice', 'Paris, France', '10'],
      ['Bob', 'Lyon', '20'],
      ['Carol "CJ"', 'Nice', '30'],
    ]);
    await context.close();
  });

  it('lists the SARIF findings of a code audit, each with its rule, level and file:line', async () => {
    const { context, page } = await buyer();
    const zip = readFileSync(
      new URL('../../../agents/code-audit/fixtures/leaky-service.zip', import.meta.url),
    );
    const upload = await page.request.post(
      '/v1/files?name=leaky-service.zip&agent=code-audit&field=archive',
      {
        headers: { 'content-type': 'application/zip' },
        data: zip,
      },
    );
    expect(upload.ok(), await upload.text()).toBe(true);
    const file = (await upload.json()) as { id: string };
    const run = await startRun(page, 'code-audit', { archive: [file.id] });
    await openRun(page, run.id, 'Succeeded');

    const findings = page.getByRole('article', { name: 'findings.sarif' }).locator('.sarif-findings li');
    await findings.first().waitFor();
    const texts = await findings.allTextContents();
    expect(texts.length).toBeGreaterThan(0);
    // Each finding names its level and a place in the code (a path with a line number).
    expect(texts.some((t) => /^(error|warning|note)\b/.test(t) && /\S+:\d+/.test(t))).toBe(true);
    await context.close();
  });

  describe('with a published code agent', () => {
    const SLUG = `breaker-${Date.now().toString(36)}`;
    const BUNDLE = `export default { async run(ctx, input) {
      ctx.progress(20, "reading the text");
      ctx.log("got " + input.text);
      if (input.text === "boom") throw new Error("the agent broke on purpose");
      let text = input.text;
      if (text === "ask") {
        const answer = await ctx.ask("Which colour should it be?", {
          type: "object", required: ["colour"], properties: { colour: { type: "string", title: "Colour" } }
        });
        text = "colour: " + answer.colour;
      }
      ctx.progress(80, "writing");
      await ctx.artifact("out.txt", text.toUpperCase(), "text/plain");
    } };`;

    beforeAll(async () => {
      const { context, page } = await buyer();
      const profile = await page.request.put('/v1/me/creator-profile', {
        data: { handle: `labs-${Date.now().toString(36)}`, displayName: 'Breaker Labs' },
      });
      expect(profile.ok(), await profile.text()).toBe(true);
      const draft = await page.request.post('/v1/agents', {
        data: {
          manifest: {
            manifestVersion: 1,
            slug: SLUG,
            name: 'Breaker',
            summary: 'Shouts the text, asks when told to, and breaks on "boom".',
            category: 'writing',
            version: '1.0.0',
            input: {
              type: 'object',
              required: ['text'],
              properties: { text: { type: 'string', title: 'Text' } },
            },
            outputs: [{ name: 'out.txt', mediaType: 'text/plain' }],
            pricing: { model: 'per_run', credits: 7 },
            runtime: { kind: 'code', entry: 'agent.js' },
            tests: [
              {
                // Writes a file in the publishing sandbox's test run, in the process that also built
                // the web app: this once aborted Node 20 (Blob#arrayBuffer in run-locally.ts).
                name: 'shouts',
                input: { text: 'hi' },
                checks: [{ kind: 'succeeds' }, { kind: 'contains', artifact: 'out.txt', text: 'HI' }],
              },
            ],
          },
          bundle: BUNDLE,
        },
      });
      expect(draft.status(), await draft.text()).toBe(201);
      const published = await page.request.post(`/v1/agents/${SLUG}/versions/1.0.0/publish`);
      expect(published.status(), await published.text()).toBe(200);
      await context.close();
    }, 120_000);

    it('says who was at fault when a run fails, and what was refunded', async () => {
      const { context, page } = await buyer();
      const run = await startRun(page, SLUG, { text: 'boom' });
      await openRun(page, run.id, 'Failed');

      await expect(page.locator('.run-fault').textContent()).resolves.toContain('The agent failed');
      await expect(page.locator('.run-failure-message').textContent()).resolves.toContain('broke on purpose');
      const refund = page.locator('.run-refund');
      await refund.waitFor();
      await expect(refund.textContent()).resolves.toContain(
        `${run.quote} credits ($${(run.quote / 100).toFixed(2)}) were returned to your wallet`,
      );
      const settled = (await (await page.request.get(`/v1/runs/${run.id}`)).json()) as { refunded: number };
      expect(settled.refunded).toBe(run.quote);
      // No cancelling a finished run; a failed run can still be rated.
      expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
      await page.getByRole('group', { name: 'Your rating' }).waitFor();

      expect(await accessibilityViolations(page)).toEqual([]);
      await screenshot(page, 'run-failed');
      await context.close();
    });

    it('asks the buyer the agent’s question in place and goes on with the answer', async () => {
      const { context, page } = await buyer();
      const run = await startRun(page, SLUG, { text: 'ask' });
      await openRun(page, run.id, 'Waiting for your answer');
      await page.getByText('Which colour should it be?').waitFor();
      await page.getByLabel('Colour').fill('teal');
      await page.getByRole('button', { name: 'Send the answer' }).click();
      await page.locator('.run-status', { hasText: 'Succeeded' }).waitFor();
      await expect(
        page.getByRole('article', { name: 'out.txt' }).locator('pre').textContent(),
      ).resolves.toContain('COLOUR: TEAL');
      await context.close();
    });

    it('cancels a run from the page: the buyer’s own doing, and the hold returned', async () => {
      const { context, page } = await buyer();
      const run = await startRun(page, SLUG, { text: 'ask' });
      await openRun(page, run.id, 'Waiting for your answer');
      await page.getByRole('button', { name: 'Cancel run' }).click();
      await page.locator('.run-status', { hasText: 'Cancelled' }).waitFor();
      await expect(page.locator('.run-fault').textContent()).resolves.toContain('You cancelled this run');
      await expect(page.locator('.run-refund').textContent()).resolves.toContain(`${run.quote} credits`);
      expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
      expect(await page.getByRole('heading', { name: 'The agent asks' }).count()).toBe(0);
      await context.close();
    });
  });

  it('fits a phone screen', async () => {
    const { context, page } = await buyer({ phone: true });
    const run = await startRun(page, '3d-character', {});
    await openRun(page, run.id, 'Succeeded');
    await page.locator('.glb-viewer[data-state="ready"]').waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'run-phone');
    await context.close();
  });
});
