import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashes: scrypt (N=2^15, r=8, p=1: about 50 ms and 32 MiB here), stored with their
 * parameters as `scrypt$N$r$p$salt$hash`, so the cost can be raised later without breaking older
 * hashes.
 */
const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { N: n, r, p, maxmem: 128 * n * r * 2 }, (e, key) =>
      e ? reject(e) : resolve(key),
    ),
  );
}

/**
 * Hashing is slow on purpose, and it runs on libuv's small thread pool, which file reads and DNS
 * lookups share: at most this many at once, and at most QUEUE waiting. Past that a caller is told
 * the server is busy rather than let a flood of sign-ins stall every upload and download.
 */
const CONCURRENT = 2;
const QUEUE = 32;
let running = 0;
const waiting: (() => void)[] = [];

/** Runs `work` in a hashing slot, or answers `busy` at once when too many are already waiting. */
async function inSlot<T>(work: () => Promise<T>): Promise<T | 'busy'> {
  if (running >= CONCURRENT) {
    if (waiting.length >= QUEUE) return 'busy';
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else running++;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

export function hashPassword(password: string): Promise<string | 'busy'> {
  return inSlot(async () => {
    const salt = randomBytes(16);
    const key = await derive(password, salt, N, R, P);
    return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
  });
}

export function verifyPassword(password: string, stored: string): Promise<boolean | 'busy'> {
  return inSlot(async () => {
    const [kind, n, r, p, salt, hash] = stored.split('$');
    if (kind !== 'scrypt' || !salt || !hash) return false;
    const expected = Buffer.from(hash, 'base64url');
    const key = await derive(password, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p));
    return key.length === expected.length && timingSafeEqual(key, expected);
  });
}

/** A hash of nothing anyone knows: checked when the email is unknown, so both answers take as long. */
export const DECOY_HASH = `scrypt$${N}$${R}$${P}$${'A'.repeat(22)}$${'A'.repeat(43)}`;
