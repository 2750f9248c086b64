import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  hasChromium,
  screenshot,
  signUpInBrowser,
  startWebApp,
  type WebApp,
} from './harness.ts';

/** The slugs of the agent cards shown, in order. */
const slugs = (page: Page) =>
  page
    .locator('.agent-grid [data-slug]')
    .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-slug')));

const card = (page: Page, slug: string) => page.locator(`.agent-grid [data-slug="${slug}"]`);

/** Presses Tab until the focused element matches `selector`; how many presses it took, or -1. */
async function tabTo(page: Page, selector: string, max = 60): Promise<number> {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return i;
  }
  return -1;
}

/**
 * The storefront and the agent page in Chromium, against a fresh database with the four built-in
 * agents: 3d-character (per event, up to 35), brand-kit (20), code-audit (40), data-cleaner (15).
 */
describe.skipIf(!hasChromium)('the storefront and the agent page', () => {
  let web: WebApp;
  beforeAll(async () => {
    web = await startWebApp();
  });
  afterAll(() => web?.close());

  it('finds the 3D character despite a typo, with its price and last test, and keeps the query in the URL', async () => {
    const context = await web.context();
    const page = await context.newPage();
    await page.goto('/');
    await card(page, 'brand-kit').waitFor();
    await page.getByRole('searchbox', { name: 'Search agents' }).fill('charcter');
    await card(page, 'brand-kit').waitFor({ state: 'detached' });
    const character = card(page, '3d-character');
    await character.waitFor();
    expect(await slugs(page)).toEqual(['3d-character']);
    const text = await character.textContent();
    expect(text).toContain('3D character');
    expect(text).toContain('35 credits ($0.35)');
    expect(text).toContain('Tests passed');
    expect(text).toContain('Jeton Labs');
    expect(new URL(page.url()).searchParams.get('q')).toBe('charcter');
    // The count is announced.
    expect(await page.getByRole('status').filter({ hasText: 'agent' }).textContent()).toContain('1 agent');

    // The link is the result list: opened afresh, it shows the same results.
    const linked = await context.newPage();
    await linked.goto('/?q=charcter');
    await card(linked, '3d-character').waitFor();
    expect(await linked.getByRole('searchbox', { name: 'Search agents' }).inputValue()).toBe('charcter');
    expect(await slugs(linked)).toEqual(['3d-character']);
    await context.close();
  });

  it('narrows the results by category and by max price', async () => {
    const context = await web.context();
    const page = await context.newPage();
    await page.goto('/');
    await card(page, 'code-audit').waitFor();
    expect((await slugs(page)).sort()).toEqual(['3d-character', 'brand-kit', 'code-audit', 'data-cleaner']);

    const chips = page.getByRole('group', { name: 'Category' });
    await chips.getByRole('button', { name: 'Design' }).click();
    await card(page, 'code-audit').waitFor({ state: 'detached' });
    expect(await slugs(page)).toEqual(['brand-kit']);
    expect(await chips.getByRole('button', { name: 'Design' }).getAttribute('aria-pressed')).toBe('true');
    expect(new URL(page.url()).searchParams.get('category')).toBe('design');

    await chips.getByRole('button', { name: 'All' }).click();
    await card(page, 'code-audit').waitFor();
    await page.getByLabel('Max price (credits)').fill('16');
    await card(page, 'brand-kit').waitFor({ state: 'detached' });
    expect(await slugs(page)).toEqual(['data-cleaner']);
    expect(new URL(page.url()).searchParams.get('maxPrice')).toBe('16');

    // Nothing under 10 credits: the empty state, with a way out.
    await page.getByLabel('Max price (credits)').fill('10');
    await page.getByRole('heading', { name: 'No agent matches' }).waitFor();
    await page.getByRole('button', { name: 'Clear search and filters' }).click();
    await card(page, 'code-audit').waitFor();
    expect(await slugs(page)).toHaveLength(4);
    await context.close();
  });

  it('shows the brand kit: its form drawn from the schema, the quote, examples, and "Sign in to run" when signed out', async () => {
    const context = await web.context();
    const page = await context.newPage();
    await page.goto('/agents/brand-kit');
    await page.getByRole('heading', { level: 1, name: 'Brand kit' }).waitFor();

    const mood = page.getByLabel('Mood');
    expect(await mood.evaluate((e) => e.tagName)).toBe('SELECT');
    expect(await mood.inputValue()).toBe('calm');
    expect(await mood.locator('option').allInnerTexts()).toEqual([
      'Calm',
      'Bold',
      'Playful',
      'Serious',
      'Elegant',
    ]);
    const company = page.getByLabel('Company name');
    expect(await company.evaluate((e) => [e.tagName, (e as HTMLInputElement).type])).toEqual([
      'INPUT',
      'text',
    ]);
    expect(await company.getAttribute('aria-required')).toBe('true');
    expect(await page.getByLabel('Main colour', { exact: true }).inputValue()).toBe('#1f6feb');
    expect(await page.getByLabel('Main colour, colour picker').getAttribute('type')).toBe('color');
    // The description is the field's hint, tied to its control.
    const hintId = await page.getByLabel('Main colour', { exact: true }).getAttribute('aria-describedby');
    expect(await page.locator(`[id="${hintId}"]`).textContent()).toContain('A hex colour');

    await page.getByText('Quote: 20 credits ($0.20)').waitFor();
    expect(await page.locator('.price-box').textContent()).toContain('20 credits ($0.20) per run');

    // An example fills the form.
    await page.getByRole('button', { name: /Acme, bold/ }).click();
    expect(await company.inputValue()).toBe('Acme');
    expect(await mood.inputValue()).toBe('bold');
    expect(await page.getByLabel('Main colour', { exact: true }).inputValue()).toBe('#d7263d');

    const signIn = page.getByRole('link', { name: 'Sign in to run' });
    await signIn.waitFor();
    expect(await signIn.getAttribute('href')).toBe('/sign-in?next=/agents/brand-kit');
    expect(await page.getByRole('button', { name: 'Run' }).count()).toBe(0);
    await context.close();
  });

  it('runs an agent once signed in, and shows the server’s issue next to the field it names', async () => {
    const context = await web.context();
    const page = await context.newPage();
    await signUpInBrowser(page);
    await page.goto('/agents/brand-kit');
    const company = page.getByLabel('Company name');
    await company.fill('Acme');
    await page.getByText('Quote: 20 credits ($0.20)').waitFor();

    // Emptied: the browser would only say "is required"; the server's own message comes back as a 422.
    await company.fill('');
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/v1/runs') && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Run' }).click(),
    ]);
    expect(answer.status()).toBe(422);
    const problem = (await answer.json()) as { issues: { path: string; message: string }[] };
    const issue = problem.issues.find((i) => i.path === '$.company');
    expect(issue).toBeTruthy();
    const error = page.locator('#run-input-company-error');
    await error.getByText(issue!.message).waitFor();
    expect(await company.getAttribute('aria-invalid')).toBe('true');
    expect(await company.getAttribute('aria-describedby')).toContain('run-input-company-error');
    expect(page.url()).toMatch(/\/agents\/brand-kit$/);

    // Fixed: the run starts and the run page is next.
    await company.fill('Acme');
    await page.getByLabel('Max credits (optional)').fill('25');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.waitForURL(/\/runs\/run_[0-9a-z]+$/);

    // A file field uploads on pick, and keeps the file's id as the field's value.
    await page.goto('/agents/code-audit');
    const archive = page.getByLabel('Repository archive');
    expect(await archive.getAttribute('accept')).toContain('.zip');
    const [upload] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/v1/files?') && r.request().method() === 'POST'),
      archive.setInputFiles({
        name: 'repo.zip',
        mimeType: 'application/zip',
        buffer: Buffer.from('PK\x05\x06'.padEnd(22, '\0')),
      }),
    ]);
    expect(upload.status()).toBe(201);
    expect(upload.url()).toContain('agent=code-audit');
    expect(upload.url()).toContain('field=archive');
    await page.getByRole('button', { name: 'Remove repo.zip' }).waitFor();
    // One file at most: the picker is disabled until it is removed.
    expect(await archive.isDisabled()).toBe(true);
    await context.close();
  });

  it('has no serious accessibility violations, and the keyboard reaches the search box and a card', async () => {
    const context = await web.context();
    const page = await context.newPage();
    await page.goto('/');
    await card(page, 'brand-kit').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.goto('/');
    await card(page, 'brand-kit').waitFor();
    expect(await tabTo(page, '#agent-search')).toBeGreaterThan(0);
    expect(await tabTo(page, '.agent-card-link')).toBeGreaterThan(0);
    const href = await page.evaluate(() => document.activeElement?.getAttribute('href'));
    expect(href).toMatch(/^\/agents\//);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`${href}$`));
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.locator('.quote strong').waitFor();

    await page.goto('/agents/brand-kit');
    await page.getByText('Quote: 20 credits ($0.20)').waitFor();
    await page.getByRole('heading', { name: /Reviews/ }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'agent-page');

    await page.goto('/agents/3d-character');
    await page.getByText('Quote: 35 credits ($0.35)').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.goto('/agents/code-audit');
    await page.getByLabel('Repository archive').waitFor();
    expect(await page.getByLabel('Repository archive').getAttribute('type')).toBe('file');
    expect(await page.locator('.schema-form').textContent()).toContain('At most 50.0 MB');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.goto('/');
    await card(page, 'brand-kit').waitFor();
    await screenshot(page, 'storefront');
    await context.close();
  });

  it('fits a phone-sized screen', async () => {
    const context = await web.context({ phone: true });
    const page = await context.newPage();
    await page.goto('/');
    await card(page, 'brand-kit').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'storefront-phone');

    await page.goto('/agents/brand-kit');
    await page.getByText('Quote: 20 credits ($0.20)').waitFor();
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);
    await screenshot(page, 'agent-page-phone');
    await context.close();
  });
});
