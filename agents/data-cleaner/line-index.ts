/**
 * Line numbers for byte offsets, as the bytes stream past. csv-parse's own `info.lines` counts a CRLF
 * inside a quoted field as two lines, so the agent counts line breaks itself: each chunk fed to the
 * parser is fed here first, and queries (which only move forward) drop the chunks they have passed.
 */
export class LineIndex {
  private readonly chunks: { start: number; end: number; breaks: number[] }[] = [];
  private head = 0;
  private cursor = 0;
  private fed = 0;
  /** Line breaks before `chunks[head]`'s `cursor`th break. */
  private before = 0;

  /** `breakByte` is `\n` (10), or `\r` (13) for files with old Mac line endings. */
  constructor(private readonly breakByte: number) {}

  feed(chunk: Uint8Array): void {
    const breaks: number[] = [];
    for (let i = chunk.indexOf(this.breakByte); i !== -1; i = chunk.indexOf(this.breakByte, i + 1))
      breaks.push(i);
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
