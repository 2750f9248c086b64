import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@jeton/core';
import { type RunningServer, type ServerRoles, startServer } from '@jeton/server';
import { pino } from 'pino';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { build } from 'vite';

const WEB_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SCREENSHOTS = join(WEB_ROOT, 'e2e', 'screenshots');

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it). */
export const CHROMIUM = process.env.JETON_CHROMIUM ?? '/usr/bin/chromium';
/**
 * Browser suites skip where there is no Chromium (say so in their output), except where it is
 * required: CI sets JETON_REQUIRE_BROWSER, so that a failed install cannot pass as skipped tests.
 */
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.JETON_REQUIRE_BROWSER) {
  throw new Error(`JETON_REQUIRE_BROWSER is set and there is no Chromium at ${CHROMIUM}`);
}

/** Flags that keep Chromium off the network it cannot reach here, and headless. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // WebGL without a GPU, for the 3D viewer.
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

/** Builds the web app into a directory of this test file's own (the build takes about a second). */
export async function buildWebApp(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'jeton-web-'));
  await build({
    configFile: join(WEB_ROOT, 'vite.config.ts'),
    root: WEB_ROOT,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

export interface WebApp {
  url: string;
  /** The built web app this server serves. */
  dist: string;
  server: RunningServer;
  browser: Browser;
  /** A fresh browser profile (no cookies), phone-sized when asked. */
  context(options?: { phone?: boolean }): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * The marketplace as `npm start` serves it, on a fresh embedded database with the built-in agents,
 * and a real Chromium to use it with.
 */
export async function startWebApp(
  env: Record<string, string> = {},
  roles: ServerRoles = {},
): Promise<WebApp> {
  const dist = await buildWebApp();
  const dir = mkdtempSync(join(tmpdir(), 'jeton-web-data-'));
  const loaded = loadConfig({
    JETON_DATA_DIR: join(dir, 'data'),
    PORT: '0',
    JETON_RATE_PER_IP: '0',
    JETON_CHECK_RESPONSES: 'true',
    JETON_WEB_DIST: dist,
    ...env,
  });
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  const server = await startServer(loaded.config, pino({ level: 'silent' }), roles);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  const url = server.url!;
  return {
    url,
    dist,
    server,
    browser,
    context: (options = {}) =>
      browser.newContext({
        baseURL: url,
        acceptDownloads: true,
        ...(options.phone
          ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
          : { viewport: { width: 1280, height: 900 } }),
      }),
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/** Saves a screenshot of the page under apps/web/e2e/screenshots/ (kept out of git). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now (rule id and the first targets). */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    const r = await axe.run();
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id}: ${v.nodes
            .slice(0, 3)
            .map((n) => n.target.join(' '))
            .join(', ')}`,
      );
  });
  return violations;
}

/** Signs up through the web app's own form; returns the email. */
export async function signUpInBrowser(page: Page, name = 'Test buyer'): Promise<string> {
  const email = `web-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return email;
}
