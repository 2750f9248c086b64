import { type FakeOpenAI, startFakeOpenAI, testRegistry } from '@jeton/runtime/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityViolations, hasChromium, screenshot, startWebApp, type WebApp } from './harness.ts';

const PASSWORD = 'a long enough password';

/** Polls the API (not the clock) until the run has ended. */
async function finalRun(page: Page, id: string) {
  for (;;) {
    const run = (await (await page.request.get(`/v1/runs/${id}`)).json()) as {
      status: string;
      charged: number | null;
      endedAt: string | null;
    };
    if (run.endedAt) return run;
    await page.waitForTimeout(100);
  }
}

/**
 * The creator studio in Chromium: a creator creates a prompt agent through the form (the platform
 * validates it live), runs the draft, publishes it with its test case, sees it in search and in the
 * studio, and withdraws what the run earned. The model is a local server speaking OpenAI's protocol.
 */
describe.skipIf(!hasChromium)('the creator studio', () => {
  let web: WebApp;
  let fake: FakeOpenAI;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    // No welcome credits: the draft run is paid with bought credits, so it earns withdrawable cash.
    web = await startWebApp(
      { JETON_WELCOME_CREDITS: '0', JETON_PAYOUT_MIN_CREDITS: '5', JETON_COMMISSION_BPS: '2000' },
      {
        // The server's JETON_MODEL_PROVIDERS, as a registry pointed at the fake (run.ts parses the variable).
        models: testRegistry([{ name: 'local', kind: 'openai-compatible', baseURL: fake.baseURL }], {
          defaultModel: 'local/test-model',
        }),
      },
    );
  }, 120_000);
  afterAll(async () => {
    await web?.close();
    await fake?.close();
  });

  it('a creator creates and publishes a prompt agent', async () => {
    const context = await web.context();
    const page = await context.newPage();
    const email = `creator-${Date.now()}@example.com`;
    const signUp = await page.request.post('/v1/auth/sign-up', {
      data: { email, password: PASSWORD, name: 'Tidy Labs' },
    });
    expect(signUp.status()).toBe(201);
    const topUp = await page.request.post('/v1/wallet/top-ups', {
      data: { credits: 500 },
      headers: { 'idempotency-key': `top-${Date.now()}` },
    });
    expect(topUp.status()).toBe(201);

    // Becoming a creator.
    await page.goto('/studio');
    await page.getByRole('heading', { name: 'Become a creator' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByLabel('Handle').fill('tidy-labs');
    await page.getByLabel('Display name').fill('Tidy Labs');
    await page.getByRole('button', { name: 'Become a creator' }).click();
    await page.getByRole('heading', { name: 'Creator studio' }).waitFor();
    await page.getByText('No agent yet').waitFor();

    // The form, validated live by the platform.
    await page.getByRole('link', { name: 'New agent' }).click();
    await page.getByRole('tab', { name: 'Form' }).waitFor();
    expect(await page.getByRole('tab', { name: 'Form' }).getAttribute('aria-selected')).toBe('true');
    await page.getByLabel('Name', { exact: true }).fill('Tidy notes');
    expect(await page.getByLabel('Slug').inputValue()).toBe('tidy-notes');
    // An empty summary is flagged next to its field, with its path.
    await page.locator('#agent-summary-issues').getByText('$.summary').waitFor();
    await page.getByLabel('Summary').fill('Turns rough notes into a tidy list.');
    await page.locator('#agent-summary-issues').waitFor({ state: 'detached' });
    await page.getByLabel('Category').selectOption('writing');

    const first = page.getByRole('group', { name: 'Input field 1' });
    await first.getByLabel('Field name').fill('notes');
    await first.getByLabel('Title').fill('Notes');
    await page.getByLabel('System prompt').fill('You tidy notes into a short list. Never add anything.');
    // A placeholder for a field that does not exist yet: flagged, then cleared once the field exists.
    await page.getByLabel('Template').fill('Tidy these notes as {{style}}:\n\n{{notes}}');
    await page.locator('#agent-template-issues').getByText('{{style}} is not a field').waitFor();
    await page.getByText('(no such field)').waitFor();
    await page.getByRole('button', { name: 'Add a field' }).click();
    const second = page.getByRole('group', { name: 'Input field 2' });
    await second.getByLabel('Field name').fill('style');
    await second.getByLabel('Title').fill('Style');
    await second.getByLabel('Type').selectOption('select');
    await second.getByLabel('Choices').fill('bullets, prose');
    await second.getByLabel('Required').check();
    await page.locator('#agent-template-issues').waitFor({ state: 'detached' });
    await page.getByLabel('Price per run (credits)').fill('10');
    await page.getByLabel('Example: Notes').fill('milk, eggs, call mum');
    await page.getByLabel('Example: Style').selectOption('bullets');
    await page.getByLabel('Add a test case').check();
    await page.getByLabel('The answer contains (optional)').fill('Tidy');
    await page.getByText('The platform accepts this manifest').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'new-agent');

    // The manifest editor holds the same manifest; invalid JSON and a wrong price are issues too.
    await page.getByRole('tab', { name: 'Manifest' }).click();
    const editor = page.getByLabel('Manifest (JSON)');
    const manifest = JSON.parse(await editor.inputValue());
    expect(manifest).toMatchObject({
      slug: 'tidy-notes',
      pricing: { model: 'per_run', credits: 10 },
      input: { required: ['notes', 'style'] },
      runtime: { kind: 'prompt', model: 'default', template: 'Tidy these notes as {{style}}:\n\n{{notes}}' },
      tests: [{ name: 'answers', input: { notes: 'milk, eggs, call mum', style: 'bullets' } }],
    });
    await editor.fill('{ "manifestVersion": 1, ');
    await page.getByRole('list', { name: 'Manifest issues' }).getByText('not valid JSON').waitFor();
    await editor.fill(JSON.stringify({ ...manifest, pricing: { model: 'per_run', credits: 0 } }, null, 2));
    await page.getByRole('list', { name: 'Manifest issues' }).getByText('$.pricing.credits').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await editor.fill(
      JSON.stringify({ ...manifest, description: 'Notes in, a **tidy list** out.' }, null, 2),
    );
    await page.getByText('The platform accepts this manifest').waitFor();
    // Back to the form: the editor's manifest is what it shows.
    await page.getByRole('tab', { name: 'Form' }).click();
    expect(await page.getByLabel('Description').inputValue()).toBe('Notes in, a **tidy list** out.');
    expect(await page.getByRole('group', { name: 'Input field 2' }).getByLabel('Choices').inputValue()).toBe(
      'bullets, prose',
    );

    // Save, then run the draft: the model answers (the fake), the run succeeds and is paid.
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('heading', { name: 'Draft tidy-notes@1.0.0 saved' }).waitFor();
    fake.enqueue({ text: 'Tidy list:\n- milk\n- eggs\n- call mum' });
    await page.getByRole('button', { name: 'Run draft 1.0.0' }).click();
    await page.waitForURL(/\/runs\/run_/);
    const runId = new URL(page.url()).pathname.split('/').at(-1)!;
    expect(await finalRun(page, runId)).toMatchObject({ status: 'succeeded', charged: 10 });
    const sent = fake.requests.at(-1)!.body as { messages: { role: string; content: string }[] };
    expect(sent.messages.at(-1)).toEqual({
      role: 'user',
      content: 'Tidy these notes as bullets:\n\nmilk, eggs, call mum',
    });

    // Publish from the studio: the test case runs first (answered by the fake) and passes.
    await page.goto('/studio');
    const row = page.locator('tr[data-slug="tidy-notes"]');
    await row.getByText('draft 1.0.0', { exact: true }).waitFor();
    fake.enqueue({ text: 'Tidy list:\n- milk\n- eggs' });
    await row.getByRole('button', { name: 'Publish 1.0.0' }).click();
    const published = page.getByRole('status').filter({ hasText: 'Published tidy-notes@1.0.0' });
    await published.waitFor();
    expect(await published.textContent()).toMatch(/Tests:\s*passed/);
    expect(await published.getByRole('listitem').first().textContent()).toBe('passed answers');
    await row.getByText('live 1.0.0', { exact: true }).waitFor();
    expect(await row.locator('td[data-label="Status"]').textContent()).toBe('published');

    // Listed for everyone.
    const search = (await (await page.request.get('/v1/agents?q=tidy')).json()) as {
      data: { slug: string }[];
    };
    expect(search.data.map((a) => a.slug)).toContain('tidy-notes');

    // Earnings: the run was paid with bought credits, so 8 of its 10 credits are withdrawable cash.
    await page.getByText('Payouts start at 5 credits').waitFor();
    await page.getByText('Withdrawable now: 8 credits ($0.08).').waitFor();
    await page.getByRole('button', { name: 'Request a payout' }).click();
    await page.getByText('Payout of 8 credits ($0.08) paid.').waitFor();
    await page.getByRole('cell', { name: 'paid', exact: true }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'studio');
    await context.close();

    // The same studio on a phone.
    const phone = await web.context({ phone: true });
    const small = await phone.newPage();
    expect((await small.request.post('/v1/auth/sign-in', { data: { email, password: PASSWORD } })).ok()).toBe(
      true,
    );
    await small.goto('/studio');
    await small.locator('tr[data-slug="tidy-notes"]').getByText('live 1.0.0').waitFor();
    expect(await accessibilityViolations(small)).toEqual([]);
    await screenshot(small, 'studio-phone');
    await phone.close();
  });
});
