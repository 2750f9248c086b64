import { ConnectionError, errorFromResponse } from '@jeton/sdk';
import type { ApiSettings } from './config.ts';

/**
 * A JSON request for an endpoint the SDK does not wrap yet (the wallet, publishing: being added to the
 * API now). Errors are the SDK's typed ones. Once `npm run sdk:generate` has their paths, the
 * commands using this move to the typed client.
 */
export async function requestJson<T>(
  settings: ApiSettings,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${settings.apiUrl}${path}`, {
      method,
      headers: {
        ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new ConnectionError(settings.apiUrl, error);
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {}
  if (!res.ok) throw errorFromResponse(res, parsed);
  return parsed as T;
}
