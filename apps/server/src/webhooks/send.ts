import http from 'node:http';
import https from 'node:https';
import type { AttemptOutcome, ClaimedDelivery, SendAttempt } from '@jeton/db';
import { Webhook } from 'standardwebhooks';
import { guardedLookup, webhookUrlProblem } from './url-guard.ts';

export interface SenderOptions {
  /** Let endpoints reach loopback and private addresses (tests, local development). */
  allowPrivate: boolean;
  /** The whole attempt, connection to the last byte read. */
  timeoutMs?: number;
  userAgent?: string;
}

const KEEP_BYTES = 1024;

/**
 * One attempt, per the Standard Webhooks spec: the body is the delivery's payload as JSON, signed with
 * the endpoint's current secret over `id.timestamp.body` (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`). Redirects are not followed (a 3xx is a failure): following one would let a
 * public URL send the request on to a private one.
 */
export function httpSender(options: SenderOptions): SendAttempt {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const lookup = guardedLookup(options.allowPrivate);
  return async (d: ClaimedDelivery): Promise<AttemptOutcome> => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    // Checked again at each attempt: an IP literal is connected to without `lookup`.
    const problem = webhookUrlProblem(d.url, options.allowPrivate);
    if (problem) return { statusCode: null, response: null, error: `refused: ${problem}`, durationMs: 0 };
    const body = JSON.stringify(d.payload);
    const at = new Date();
    const headers = {
      'content-type': 'application/json',
      'user-agent': options.userAgent ?? 'Jeton-Webhooks/1',
      'webhook-id': d.id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(d.secret).sign(d.id, at, body),
    };
    try {
      const answer = await post(new URL(d.url), headers, body, timeoutMs, lookup);
      return { statusCode: answer.status, response: answer.text, error: null, durationMs: elapsed() };
    } catch (error) {
      return { statusCode: null, response: null, error: describe(error), durationMs: elapsed() };
    }
  };
}

function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  lookup: ReturnType<typeof guardedLookup>,
): Promise<{ status: number; text: string }> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup,
        signal: AbortSignal.timeout(timeoutMs),
        // One connection per attempt: a pooled socket could outlive the address check.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        const done = () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).subarray(0, KEEP_BYTES).toString('utf8'),
          });
        res.on('data', (chunk: Buffer) => {
          if (kept < KEEP_BYTES) {
            chunks.push(chunk);
            kept += chunk.length;
          }
          // The rest of a long answer is of no use: stop reading it.
          if (kept >= KEEP_BYTES) {
            done();
            res.destroy();
          }
        });
        res.on('end', done);
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function describe(error: unknown): string {
  const e = error as { name?: string; code?: string; message?: string };
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return 'timed out';
  return [e.code, e.message].filter(Boolean).join(': ') || String(error);
}
