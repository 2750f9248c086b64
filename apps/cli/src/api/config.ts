import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_BASE_URL, Jeton } from '@jeton/sdk';

type Env = Record<string, string | undefined>;

/** What `jeton login` stores: which server, and the key for it. */
export interface StoredLogin {
  apiUrl: string;
  apiKey: string;
}

export interface ApiSettings {
  apiUrl: string;
  apiKey: string | undefined;
}

export function configPath(env: Env = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'jeton', 'config.json');
}

export function readLogin(env: Env = process.env): StoredLogin | null {
  const file = configPath(env);
  if (!existsSync(file)) return null;
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as Partial<StoredLogin>;
    return typeof c.apiUrl === 'string' && typeof c.apiKey === 'string'
      ? { apiUrl: c.apiUrl, apiKey: c.apiKey }
      : null;
  } catch {
    return null;
  }
}

/** Writes the key readable by its owner alone (0600), in a folder only they can list. */
export function writeLogin(login: StoredLogin, env: Env = process.env): string {
  const file = configPath(env);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  // The mode above applies only to a new file: an existing one keeps its own until told.
  chmodSync(file, 0o600);
  return file;
}

const normalise = (url: string) => url.replace(/\/+$/, '');

/**
 * JETON_API_URL and JETON_API_KEY win; otherwise what `jeton login` stored. A stored key is only sent
 * to the server it was issued by: pointing JETON_API_URL elsewhere does not leak it.
 */
export function apiSettings(env: Env = process.env): ApiSettings {
  const stored = readLogin(env);
  const apiUrl = normalise(env.JETON_API_URL || stored?.apiUrl || DEFAULT_BASE_URL);
  const apiKey =
    env.JETON_API_KEY || (stored && normalise(stored.apiUrl) === apiUrl ? stored.apiKey : undefined);
  return { apiUrl, apiKey };
}

export function client(settings: ApiSettings = apiSettings()): Jeton {
  return new Jeton({ apiKey: settings.apiKey, baseUrl: settings.apiUrl });
}
