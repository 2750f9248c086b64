import { hash } from 'node:crypto';
import { MAX_TRACKED_ROWS, ROW_DIGEST_SLOTS_MAX } from './limits.ts';

/**
 * Exact duplicate rows in bounded memory: each distinct row is kept as its 16-byte MD5 digest (a
 * fingerprint, not a security measure: the odds of two different rows among millions sharing one
 * are below 10^-20) in an open-addressing table of 4 × 32-bit words per slot. No row text is kept.
 */
export class RowDigests {
  private slots: Uint32Array;
  private mask: number;
  private size = 0;
  /** Rows not added once the table was full: duplicates among them go unnoticed. */
  untracked = 0;

  constructor(initialSlots = 2 ** 16) {
    this.slots = new Uint32Array(initialSlots * 4);
    this.mask = initialSlots - 1;
  }

  get tracked(): number {
    return this.size;
  }

  /** Whether an identical row was seen before; remembers this one (while there is room). */
  seen(fields: readonly string[]): boolean {
    // JSON keeps field boundaries unambiguous: ["a,b"] and ["a","b"] differ.
    const d = hash('md5', JSON.stringify(fields), 'buffer');
    const w0 = d.readUInt32LE(0);
    const w1 = d.readUInt32LE(4);
    const w2 = d.readUInt32LE(8);
    // An all-zero slot means "empty", so the last word is never 0 (one bit of 128 given up).
    const w3 = (d.readUInt32LE(12) | 1) >>> 0;
    let i = w0 & this.mask;
    for (;;) {
      const at = i * 4;
      const s = this.slots;
      if (s[at + 3] === 0) break;
      if (s[at] === w0 && s[at + 1] === w1 && s[at + 2] === w2 && s[at + 3] === w3) return true;
      i = (i + 1) & this.mask;
    }
    if (this.size >= MAX_TRACKED_ROWS) {
      this.untracked++;
      return false;
    }
    const at = i * 4;
    this.slots[at] = w0;
    this.slots[at + 1] = w1;
    this.slots[at + 2] = w2;
    this.slots[at + 3] = w3;
    this.size++;
    if (this.size * 4 > (this.mask + 1) * 3 && this.mask + 1 < ROW_DIGEST_SLOTS_MAX) this.grow();
    return false;
  }

  private grow(): void {
    const old = this.slots;
    const slots = (this.mask + 1) * 2;
    this.slots = new Uint32Array(slots * 4);
    this.mask = slots - 1;
    for (let at = 0; at < old.length; at += 4) {
      if (old[at + 3] === 0) continue;
      let i = old[at]! & this.mask;
      while (this.slots[i * 4 + 3] !== 0) i = (i + 1) & this.mask;
      this.slots.set(old.subarray(at, at + 4), i * 4);
    }
  }
}

/** One bit per data row: which rows pass 1 found to repeat an earlier row, for pass 2 to drop. */
export class RowBitmap {
  private bits = new Uint8Array(1024);

  set(row: number): void {
    const byte = row >>> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, byte + 1));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[byte]! |= 1 << (row & 7);
  }

  has(row: number): boolean {
    const byte = row >>> 3;
    return byte < this.bits.length && (this.bits[byte]! & (1 << (row & 7))) !== 0;
  }
}
