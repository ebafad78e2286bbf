import { cellEnd, wholeRecords, type Records } from './copy-records.js';

/**
 * The newest usable link of each member, read from a COPY of `member cell, link id, expiry` in the members' order,
 * a chunk at a time as the export reaches it.
 */
export class LinkQueue {
  private readonly chunks: AsyncGenerator<Records>;
  private current: Records | undefined;
  private index = 0;
  private ended = false;

  constructor(source: AsyncIterable<Buffer>) {
    this.chunks = wholeRecords(source);
  }

  /** False when no link is at hand though more may come: call `fill()` first. */
  ready(): boolean {
    return this.ended || (this.current !== undefined && this.index < this.current.starts.length);
  }

  async fill(): Promise<void> {
    while (!this.ready()) {
      const next = await this.chunks.next();
      if (next.done) this.ended = true;
      else [this.current, this.index] = [next.value, 0];
    }
  }

  /** True when the next link belongs to the member whose cell is `data[start..end)`. */
  nextIsFor(data: Buffer, start: number, end: number): boolean {
    if (!this.current || this.index >= this.current.starts.length) return false;
    const links = this.current.data;
    const at = this.current.starts[this.index]!;
    return links.compare(data, start, end, at, cellEnd(links, at)) === 0;
  }

  /** Takes the next link: its id and the bytes of its expiry cell. */
  take(): { id: string; expires: Buffer } {
    const { data, starts, ends } = this.current!;
    const at = starts[this.index]!;
    const end = ends[this.index++]!;
    const idStart = cellEnd(data, at) + 1;
    const idEnd = data.indexOf(0x2c, idStart);
    return { id: data.toString('latin1', idStart, idEnd), expires: data.subarray(idEnd + 1, end) };
  }

  /** Whether every link has been taken. */
  async drained(): Promise<boolean> {
    await this.fill();
    return this.ended && (!this.current || this.index >= this.current.starts.length);
  }
}
