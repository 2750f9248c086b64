import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import https from 'node:https';
import { isIPv4, isIPv6 } from 'node:net';
import { Readable } from 'node:stream';

/**
 * The sandbox's network policy, on the host side: which URLs an agent may fetch, which addresses a
 * name may resolve to, and a fetch that connects only to the addresses that were checked.
 */

/** Resolves a host name to every address it has (the default is `node:dns` lookup, `all: true`). */
export type HostLookup = (hostname: string) => Promise<readonly LookupAddress[]>;

/** One outgoing request, already checked against the policy. */
export interface HostRequest {
  url: URL;
  method: string;
  headers: [string, string][];
  body: Uint8Array | null;
  signal: AbortSignal;
  /** The checked addresses of `url.hostname`: an implementation connects to these and nowhere else. */
  addresses: readonly LookupAddress[];
}

/**
 * Performs a checked request. It must not follow redirects (the agent sees 3xx responses and may fetch
 * the `location` again, which is checked again) and must connect only to `request.addresses`. The
 * default is `pinnedFetch`; tests inject their own.
 */
export type HostFetch = (request: HostRequest) => Promise<Response>;

export const defaultLookup: HostLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Thrown when the policy refuses a request: the run ends as `agent_violation` with this message. */
export class NetworkRefusal extends Error {
  override readonly name = 'NetworkRefusal';
}

function ipv4Octets(ip: string): number[] | null {
  if (!isIPv4(ip)) return null;
  return ip.split('.').map(Number);
}

/** The eight 16-bit words of an IPv6 address (zone ids refused), or null. */
function ipv6Words(ip: string): number[] | null {
  if (!isIPv6(ip) || ip.includes('%')) return null;
  let text = ip;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const maybeV4 = text.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    const octets = ipv4Octets(maybeV4);
    if (octets === null) return null;
    tail.push((octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!);
    text = `${text.slice(0, lastColon + 1)}0`; // placeholder word, replaced below
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (part: string | undefined) =>
    part === undefined || part === '' ? [] : part.split(':').map((w) => Number.parseInt(w, 16));
  const left = parse(head);
  const right = parse(rest);
  if (tail.length > 0) (right.length > 0 ? right : left).pop();
  const middle = 8 - left.length - right.length - tail.length;
  if (middle < 0 || (rest === undefined && middle !== 0)) return null;
  const words = [...left, ...new Array<number>(middle).fill(0), ...right, ...tail];
  return words.length === 8 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff)
    ? words
    : null;
}

function ipv4Reason(o: number[]): string | null {
  const [a, b, c] = o as [number, number, number, number];
  if (a === 0) return 'an unspecified ("this network") address';
  if (a === 127) return 'a loopback address';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'a private address';
  if (a === 100 && b >= 64 && b <= 127) return 'a carrier-grade NAT (CGNAT) address';
  if (a === 169 && b === 254) return 'a link-local address';
  if (a >= 224 && a <= 239) return 'a multicast address';
  if (a >= 240) return 'a reserved or broadcast address';
  if (a === 192 && b === 0 && (c === 0 || c === 2)) return 'a reserved (IETF or documentation) address';
  if (a === 192 && b === 88 && c === 99) return 'a reserved (6to4 relay) address';
  if (a === 198 && (b === 18 || b === 19)) return 'a reserved (benchmarking) address';
  if ((a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113))
    return 'a reserved (documentation) address';
  return null;
}

function embeddedIpv4(w: number[], at: number): number[] {
  return [w[at]! >> 8, w[at]! & 0xff, w[at + 1]! >> 8, w[at + 1]! & 0xff];
}

function ipv6Reason(w: number[]): string | null {
  const zeros = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
  // IPv4-mapped (::ffff:a.b.c.d): judged as the IPv4 address it is.
  if (zeros(0, 5) && w[5] === 0xffff) return ipv4Reason(embeddedIpv4(w, 6));
  if (zeros(0, 7) && w[7] === 0) return 'an unspecified address';
  if (zeros(0, 7) && w[7] === 1) return 'a loopback address';
  if (zeros(0, 6)) return 'a reserved (IPv4-compatible) address';
  // NAT64 (64:ff9b::/96) reaches the embedded IPv4 address; the local-use prefix is private.
  if (w[0] === 0x64 && w[1] === 0xff9b) {
    if (zeros(2, 6)) return ipv4Reason(embeddedIpv4(w, 6));
    return 'a private (local NAT64) address';
  }
  const first = w[0]!;
  if ((first & 0xfe00) === 0xfc00) return 'a private (unique local) address';
  if ((first & 0xffc0) === 0xfe80) return 'a link-local address';
  if ((first & 0xffc0) === 0xfec0) return 'a private (site-local) address';
  if ((first & 0xff00) === 0xff00) return 'a multicast address';
  // Only 2000::/3 is global unicast; inside it, a few blocks are special.
  if ((first & 0xe000) !== 0x2000) return 'a reserved address';
  if (first === 0x2001 && w[1]! < 0x200) return 'a reserved (IETF protocol, Teredo) address';
  if (first === 0x2001 && w[1] === 0xdb8) return 'a reserved (documentation) address';
  if (first === 0x3fff && w[1]! < 0x1000) return 'a reserved (documentation) address';
  if (first === 0x2002) return ipv4Reason(embeddedIpv4(w, 1)); // 6to4 carries an IPv4 address
  return null;
}

/**
 * Why the sandbox must not connect to `ip` ("a loopback address", "a private address"...), or null
 * for a public address. Anything that is not a well-formed IPv4 or IPv6 address is refused.
 */
export function nonPublicReason(ip: string): string | null {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const v4 = ipv4Octets(bare);
  if (v4 !== null) return ipv4Reason(v4);
  const v6 = ipv6Words(bare);
  if (v6 !== null) return ipv6Reason(v6);
  return 'not a valid IP address';
}

/** Whether `hostname` matches one of the manifest's `allowedHosts` (`*.example.com`: any subdomain). */
export function hostAllowed(hostname: string, allowedHosts: readonly string[]): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return allowedHosts.some((pattern) => {
    const p = pattern.toLowerCase();
    if (!p.startsWith('*.')) return host === p;
    const suffix = p.slice(1); // ".example.com"
    return host.length > suffix.length && host.endsWith(suffix);
  });
}

function isIpLiteral(hostname: string): boolean {
  return hostname.startsWith('[') || isIPv4(hostname);
}

/** How long a name may take to resolve before the request fails (the lookup itself cannot be cancelled). */
export const LOOKUP_TIMEOUT_MS = 5000;

/**
 * `lookup(host)`, given up (a `TypeError`) when `signal` aborts or after `timeoutMs`: a resolver that
 * never answers cannot keep a request, or the run waiting for it, alive.
 */
async function boundedLookup(
  lookup: HostLookup,
  host: string,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<readonly LookupAddress[]> {
  if (signal?.aborted) throw new TypeError(`ctx.fetch: the request to ${host} was stopped.`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TypeError(`ctx.fetch: could not resolve ${host} (no answer in ${timeoutMs} ms).`)),
      timeoutMs,
    );
    onAbort = () => reject(new TypeError(`ctx.fetch: the request to ${host} was stopped.`));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  const resolving = Promise.resolve()
    .then(() => lookup(host))
    .catch((error: unknown) => {
      const code = (error as { code?: unknown } | null)?.code;
      throw new TypeError(
        `ctx.fetch: could not resolve ${host}${typeof code === 'string' ? ` (${code})` : ''}.`,
      );
    });
  try {
    return await Promise.race([resolving, stop]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Checks a URL against the policy and resolves its host: `https:` only, a named host listed in
 * `allowedHosts`, and every address the name resolves to public. Throws `NetworkRefusal` (a violation)
 * or `TypeError` (a malformed URL, a failed, slow or stopped lookup: the agent's own problem, not a
 * violation). The lookup is given up when `options.signal` aborts or after `options.lookupTimeoutMs`.
 */
export async function checkUrl(
  raw: string,
  allowedHosts: readonly string[],
  lookup: HostLookup,
  options: { signal?: AbortSignal; lookupTimeoutMs?: number } = {},
): Promise<{ url: URL; addresses: readonly LookupAddress[] }> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`ctx.fetch: "${raw.slice(0, 200)}" is not a valid URL.`);
  }
  const host = url.hostname;
  if (url.protocol !== 'https:') {
    throw new NetworkRefusal(
      `The agent tried to fetch ${url.protocol}//${host}/: the sandbox only allows https: URLs, to the hosts in the manifest's allowedHosts.`,
    );
  }
  if (isIpLiteral(host)) {
    const why = nonPublicReason(host);
    throw new NetworkRefusal(
      `The agent tried to reach ${host}${why === null ? '' : `, ${why}`}: the sandbox only connects to named hosts in the manifest's allowedHosts.`,
    );
  }
  if (!hostAllowed(host, allowedHosts)) {
    const list = allowedHosts.length === 0 ? 'none' : allowedHosts.join(', ');
    throw new NetworkRefusal(
      `The agent tried to reach ${host}, which is not in its manifest's allowedHosts (${list}).`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError('ctx.fetch: URLs with credentials are not supported; send an Authorization header.');
  }
  const addresses = await boundedLookup(
    lookup,
    host.replace(/\.$/, ''),
    options.signal,
    options.lookupTimeoutMs ?? LOOKUP_TIMEOUT_MS,
  );
  if (addresses.length === 0) throw new TypeError(`ctx.fetch: ${host} has no address.`);
  for (const a of addresses) {
    const why = nonPublicReason(String(a.address));
    if (why !== null) {
      throw new NetworkRefusal(
        `The agent tried to reach ${host}, which resolves to ${a.address}, ${why}: the sandbox only connects to public addresses.`,
      );
    }
  }
  return { url, addresses };
}

/**
 * The default `HostFetch`: one HTTPS request with `node:https`, connecting only to the checked
 * addresses (so a name cannot resolve to a public address for the check and to a private one for the
 * connection), certificate checked against the host name, no redirects followed, no connection reuse.
 */
export const pinnedFetch: HostFetch = (request) =>
  new Promise<Response>((resolve, reject) => {
    const { url, addresses } = request;
    const flat = request.headers.flat();
    const req = https.request(
      {
        protocol: 'https:',
        hostname: url.hostname,
        servername: url.hostname,
        port: url.port === '' ? 443 : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers: flat,
        agent: false,
        signal: request.signal,
        lookup: (_name, options, callback) => {
          const all = addresses.map((a) => ({ address: a.address, family: a.family }));
          if ((options as { all?: boolean }).all)
            (callback as (e: null, a: LookupAddress[]) => void)(null, all);
          else callback(null, all[0]!.address, all[0]!.family);
        },
      },
      (res) => {
        const status = res.statusCode ?? 502;
        const headers = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
          try {
            headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
          } catch {
            // a header value the Fetch API refuses is dropped
          }
        }
        const empty = request.method === 'HEAD' || status === 204 || status === 205 || status === 304;
        if (empty) res.resume();
        const body = empty ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
        try {
          resolve(new Response(body, { status, statusText: res.statusMessage ?? '', headers }));
        } catch (error) {
          res.destroy();
          reject(error);
        }
      },
    );
    req.on('error', reject);
    req.end(request.body ?? undefined);
  });
