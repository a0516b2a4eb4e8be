/** The last `limit` bytes of a stream of chunks, decoded as UTF-8 without a broken first character. */
export class OutputTail {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private dropped = false;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    // Compact now and then, so memory stays about twice the limit whatever the command prints.
    if (this.bytes > 2 * this.limit) this.compact();
  }

  text(): string {
    this.compact();
    let buf = Buffer.concat(this.chunks);
    if (this.dropped) {
      // Skip UTF-8 continuation bytes at the cut.
      let i = 0;
      while (i < buf.length && i < 4 && ((buf[i] as number) & 0xc0) === 0x80) i++;
      buf = buf.subarray(i);
    }
    return buf.toString('utf8');
  }

  private compact(): void {
    if (this.bytes <= this.limit) return;
    const all = Buffer.concat(this.chunks);
    this.chunks = [all.subarray(all.length - this.limit)];
    this.bytes = this.limit;
    this.dropped = true;
  }
}
