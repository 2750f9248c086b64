import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

const PASSWORD = 'a long enough password';

/** A loopback receiver for webhook deliveries: answers 200 to each, and remembers them. */
function startReceiver(): Promise<{ server: Server; url: string; received: IncomingHttpHeaders[] }> {
  const received: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(req.headers);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/jeton-hooks`, received });
    });
  });
}

/** A region (a section labelled by its heading) by its exact name. */
const region = (page: Page, name: string) => page.getByRole('region', { name, exact: true });

/** Sign-up, sign-in, the wallet, API keys, webhook endpoints and "My runs", in Chromium. */
describe.skipIf(!hasChromium)('accounts in the web app', () => {
  let web: WebApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    [web, receiver] = await Promise.all([
      startWebApp({ JETON_WEBHOOKS_ALLOW_PRIVATE: 'true' }),
      startReceiver(),
    ]);
  });
  afterAll(async () => {
    await web?.close();
    await new Promise((resolve) => receiver?.server.close(resolve));
  });

  it('signs up, shows 200 promotional credits, tops up 500, signs out and in again', async () => {
    const context = await web.context();
    const page = await context.newPage();

    await page.goto('/sign-up');
    await page.getByRole('button', { name: 'Create account' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'sign-up');

    const email = await signUpInBrowser(page);
    await expect(page.getByRole('button', { name: 'Sign out' }).isVisible()).resolves.toBe(true);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Wallet' }).click();
    await region(page, 'Promotional credits').getByText('200 credits ($2.00)').waitFor();
    await region(page, 'Available').getByText('200 credits ($2.00)').waitFor();
    await region(page, 'Paid credits').getByText('0 credits ($0.00)').waitFor();

    // A top-up with the dev provider: credited at once.
    await page.getByLabel('Credits to buy').fill('500');
    await page.getByText('= $5.00').waitFor();
    await page.getByRole('button', { name: 'Top up' }).click();
    await page.getByRole('status').getByText('500 credits ($5.00) added to your wallet.').waitFor();
    await region(page, 'Available').getByText('700 credits ($7.00)').waitFor();
    await region(page, 'Paid credits').getByText('500 credits ($5.00)').waitFor();
    const history = region(page, 'Transaction history');
    await history.getByRole('row').filter({ hasText: 'Top-up' }).filter({ hasText: '+500 cr' }).waitFor();
    await region(page, 'Top-ups')
      .getByRole('row')
      .filter({ hasText: '500 credits ($5.00)' })
      .filter({ hasText: 'credited' })
      .waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'wallet');

    // Sign out, then a wrong password, then the right one: back where ?next= says.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
    await page.goto('/wallet');
    await page.getByRole('main').getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(/\/sign-in\?next=%2Fwallet$/);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Wrong email or password').waitFor();
    await expect(page.getByLabel('Password').getAttribute('aria-invalid')).resolves.toBe('true');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.waitForURL(/\/wallet$/);
    await region(page, 'Available').getByText('700 credits ($7.00)').waitFor();
    await context.close();
  });

  it('refuses a taken email next to the field, and never follows ?next= off the site', async () => {
    const context = await web.context();
    const page = await context.newPage();
    const email = await signUpInBrowser(page);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign up' }).waitFor();

    await page.goto('/sign-up');
    await page.getByLabel('Name').fill('Someone else');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('An account with this email exists: sign in instead.').waitFor();
    await expect(page.getByLabel('Email').getAttribute('aria-invalid')).resolves.toBe('true');

    await page.goto('/sign-in?next=//example.com/phish');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(new URL(page.url()).origin).toBe(web.url.replace(/\/$/, ''));
    await context.close();
  });

  it('can be completed with the keyboard alone', async () => {
    const context = await web.context();
    const page = await context.newPage();
    await page.goto('/sign-up');
    await page.getByRole('button', { name: 'Create account' }).waitFor();
    // Tab from the top of the page until the Name field has the focus.
    const focusedLabel = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLInputElement | null;
        return el?.labels?.[0]?.textContent ?? el?.textContent ?? '';
      });
    let steps = 0;
    while ((await focusedLabel()) !== 'Name') {
      await page.keyboard.press('Tab');
      if (++steps > 20) throw new Error('the Name field is not reachable with Tab');
    }
    await page.keyboard.type('Keyboard user');
    await page.keyboard.press('Tab');
    expect(await focusedLabel()).toBe('Email');
    await page.keyboard.type(`keys-${Date.now()}@example.com`);
    await page.keyboard.press('Tab');
    expect(await focusedLabel()).toBe('Password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await context.close();
  });

  it('creates an API key shown once, which works until it is revoked', async () => {
    const context = await web.context();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: web.url });
    const page = await context.newPage();
    const email = await signUpInBrowser(page, 'Key maker');
    await page.goto('/account');
    await page.getByText('No API keys yet.').waitFor();

    await page.getByLabel('Key name').fill('CI pipeline');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByLabel('New API key');
    await shown.waitFor();
    const key = await shown.inputValue();
    expect(key).toMatch(/^jtn_/);
    await page.getByText('you will not see it again').waitFor();
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(key);

    const me = (k: string) =>
      fetch(new URL('/v1/me', web.url), { headers: { authorization: `Bearer ${k}` } });
    const ok = await me(key);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { email: string }).email).toBe(email);

    const row = page.getByRole('row').filter({ hasText: 'CI pipeline' });
    await row.getByText(key.slice(0, 10)).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);

    // After a reload, only the prefix.
    await page.reload();
    await row.waitFor();
    await expect(page.getByLabel('New API key').count()).resolves.toBe(0);
    await expect(page.getByText(key).count()).resolves.toBe(0);

    await row.getByRole('button', { name: 'Revoke CI pipeline' }).click();
    await row.getByRole('button', { name: 'Yes, revoke' }).click();
    await row.getByText('Revoked').waitFor();
    expect((await me(key)).status).toBe(401);
    await context.close();
  });

  it('adds a webhook endpoint, shows its secret once, and lists a test delivery with its 2xx', async () => {
    const context = await web.context();
    const page = await context.newPage();
    await signUpInBrowser(page, 'Hook owner');
    await page.goto('/account');
    await page.getByText('No webhook endpoints yet.').waitFor();

    await page.getByLabel('Endpoint URL').fill(receiver.url);
    await page.getByLabel('Description (optional)').fill('Local receiver');
    await page.getByRole('checkbox', { name: 'top_up.credited' }).check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = page.getByLabel('Signing secret');
    await secret.waitFor();
    expect(await secret.inputValue()).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await expect(page.getByLabel('Signing secret').count()).resolves.toBe(0);

    const endpoint = page.getByRole('article').filter({ hasText: receiver.url });
    await endpoint.getByText('top_up.credited').waitFor();
    const before = receiver.received.length;
    await endpoint.getByRole('button', { name: 'Send test event' }).click();
    const delivery = endpoint.getByRole('row').filter({ hasText: 'webhook.test' });
    await delivery.getByText('HTTP 200').waitFor({ timeout: 30_000 });
    await delivery.getByText('succeeded').waitFor();
    expect(receiver.received.length).toBeGreaterThan(before);
    expect(receiver.received.at(-1)?.['webhook-signature']).toMatch(/^v1,/);

    // Disable and enable again; rotating shows a new secret, once.
    await endpoint.getByRole('button', { name: 'Disable' }).click();
    await endpoint.getByText('disabled', { exact: true }).waitFor();
    await endpoint.getByRole('button', { name: 'Enable' }).click();
    await endpoint.getByText('enabled', { exact: true }).waitFor();
    await endpoint.getByRole('button', { name: 'Rotate secret' }).click();
    await endpoint.getByRole('button', { name: 'Yes, rotate' }).click();
    expect(await page.getByLabel('Signing secret').inputValue()).toMatch(/^whsec_/);

    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'account');

    await endpoint.getByRole('button', { name: 'Delete' }).click();
    await endpoint.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByText('No webhook endpoints yet.').waitFor();
    await context.close();
  });

  it('lists my runs, newest first, with a status filter', async () => {
    const context = await web.context();
    const page = await context.newPage();
    await signUpInBrowser(page, 'Runner');
    const created = await page.request.post('/v1/runs', {
      data: { agent: 'brand-kit', input: { company: 'Acme', mood: 'calm' } },
    });
    expect(created.status()).toBe(201);
    const run = (await created.json()) as { id: string };

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My runs' }).click();
    const link = page.getByRole('link', { name: 'brand-kit' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`/runs/${run.id}`);
    await page.getByRole('row').filter({ hasText: run.id }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'runs');

    await page.getByLabel('Status').selectOption('cancelled');
    await page.getByText('No cancelled runs.').waitFor();
    await page.getByLabel('Status').selectOption('');
    await link.waitFor();
    await context.close();
  });

  it('shows the wallet on a phone-sized screen', async () => {
    const context = await web.context({ phone: true });
    const page = await context.newPage();
    await signUpInBrowser(page, 'Phone user');
    await page.goto('/wallet');
    await region(page, 'Promotional credits').getByText('200 credits ($2.00)').waitFor();
    // Nothing wider than the screen but the tables, which scroll inside their own box.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'wallet-phone');
    await context.close();
  });
});
