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
    if (this.#size > this.#max) this.#truncated = true;
    // Compacting only past twice the cap keeps a long stream's cost linear in its length.
    if (this.#size > 2 * this.#max + 65_536) this.#compact();
  }

  get truncated(): boolean {
    return this.#truncated;
  }

  text(): string {
    this.#compact();
    return Buffer.concat(this.#chunks).toString('utf8');
  }

  /** Keeps exactly the last `max` bytes; older bytes are dropped for good. */
  #compact(): void {
    if (this.#size <= this.#max) return;
    const joined = Buffer.concat(this.#chunks);
    this.#chunks = [Buffer.from(joined.subarray(joined.length - this.#max))];
    this.#size = this.#max;
  }
}
