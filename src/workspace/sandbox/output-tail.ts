/** Collects a stream's bytes up to a cap, keeping the most recent ones. */
export class OutputTail {
  readonly #max: number;
  #chunks: Buffer[] = [];
  #size = 0;
  #truncated = false;

  constructor(maxBytes: number) {
    this.#max = Math.max(0, maxBytes);
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    if (this.#size <= this.#max) return;
    // Compact to exactly the tail; older bytes are dropped for good.
    const joined = Buffer.concat(this.#chunks);
    const tail = joined.subarray(joined.length - this.#max);
    this.#chunks = [Buffer.from(tail)];
    this.#size = tail.length;
    this.#truncated = true;
  }

  get truncated(): boolean {
    return this.#truncated;
  }

  text(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }
}
