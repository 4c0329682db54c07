/**
 * A FIFO of received socket chunks. Packets are cut out of it without concatenating the whole backlog:
 * a packet that lies inside one chunk is returned as a view, only one that spans chunks is copied.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private head = 0; // read offset into chunks[0]
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** The first n bytes without consuming them (n <= length). */
  peek(n: number): Buffer {
    return this.read(n, false);
  }

  /** Removes and returns the first n bytes (n <= length). */
  take(n: number): Buffer {
    return this.read(n, true);
  }

  /** Discards the first n bytes (n <= length) without copying them. */
  drop(n: number): void {
    if (n > this.total) throw new RangeError('ByteQueue underflow');
    this.advance(n);
  }

  private read(n: number, consume: boolean): Buffer {
    if (n > this.total) throw new RangeError('ByteQueue underflow');
    const first = this.chunks[0];
    if (n === 0 || first === undefined) return Buffer.alloc(0);
    let out: Buffer;
    if (first.length - this.head >= n) {
      out = first.subarray(this.head, this.head + n);
      if (consume) this.advance(n);
      return out;
    }
    out = Buffer.allocUnsafe(n);
    let copied = 0;
    let index = 0;
    let offset = this.head;
    while (copied < n) {
      const chunk = this.chunks[index]!;
      const count = Math.min(n - copied, chunk.length - offset);
      chunk.copy(out, copied, offset, offset + count);
      copied += count;
      offset = 0;
      index++;
    }
    if (consume) this.advance(n);
    return out;
  }

  private advance(n: number): void {
    this.total -= n;
    while (n > 0) {
      const first = this.chunks[0]!;
      const available = first.length - this.head;
      if (n < available) {
        this.head += n;
        return;
      }
      n -= available;
      this.chunks.shift();
      this.head = 0;
    }
  }
}
