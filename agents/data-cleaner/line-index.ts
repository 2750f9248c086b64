/**
 * Line numbers for byte offsets, as the bytes stream past. csv-parse's own `info.lines` counts a CRLF
 * inside a quoted field as two lines, so the agent counts line breaks itself: each chunk fed to the
 * parser is fed here first, and queries (which only move forward) drop the chunks they have passed.
 *
 * A line break is `\r\n`, `\n` or `\r`, in any mix (as the parser reads them): each counts once, at the
 * position of its first byte, including a `\r\n` split across two chunks.
 */
export class LineIndex {
  private readonly chunks: { start: number; end: number; breaks: number[] }[] = [];
  private head = 0;
  private cursor = 0;
  private fed = 0;
  /** Line breaks before `chunks[head]`'s `cursor`th break. */
  private before = 0;
  /** Whether the last byte fed was `\r` (a `\n` right after it ends the same line break). */
  private afterCr = false;

  feed(chunk: Uint8Array): void {
    const breaks: number[] = [];
    if (!this.afterCr && chunk.indexOf(13) === -1) {
      // The common case (LF only): indexOf is much faster than a byte loop.
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) breaks.push(i);
    } else {
      let afterCr = this.afterCr;
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i]!;
        if (b === 13) breaks.push(i);
        else if (b === 10 && !afterCr) breaks.push(i);
        afterCr = b === 13;
      }
    }
    if (chunk.length > 0) this.afterCr = chunk[chunk.length - 1] === 13;
    this.chunks.push({ start: this.fed, end: this.fed + chunk.length, breaks });
    this.fed += chunk.length;
  }

  /** The 1-based line of the byte at `offset`; offsets must not decrease from one call to the next. */
  lineAt(offset: number): number {
    while (this.head < this.chunks.length) {
      const c = this.chunks[this.head]!;
      while (this.cursor < c.breaks.length && c.start + c.breaks[this.cursor]! < offset) {
        this.cursor++;
        this.before++;
      }
      if (this.cursor < c.breaks.length || c.end > offset) break;
      this.head++;
      this.cursor = 0;
    }
    if (this.head > 256) {
      this.chunks.splice(0, this.head);
      this.head = 0;
    }
    return this.before + 1;
  }
}
