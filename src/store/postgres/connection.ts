import type { Pool, PoolClient } from 'pg';
import { isConnectionError, PostgresStoreError, toStoreError } from './errors.js';

/** Something queries can be sent to: a pooled client inside or outside a transaction. */
export type Queryable = Pick<PoolClient, 'query'>;

const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 5_000;

/** Exponential backoff with full jitter: attempt 1 waits up to 100 ms, doubling up to 5 s. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * The pool behind a circuit: after a failed connect, new operations fail fast with
 * `db_unavailable` until the backoff delay has passed, then one connect is tried again.
 * So a lost database makes every operation reject quickly (a worker stops committing and
 * its lease expires) instead of piling up connects, and service resumes on its own.
 */
export class ConnectionGate {
  private failures = 0;
  private retryAt = 0;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly target: string,
  ) {}

  /** Runs `work` on a pooled client; a client whose connection broke is destroyed, not reused. */
  async use<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    let broken: Error | undefined;
    // A checked-out client whose connection drops emits 'error'; unhandled, that would crash
    // the process. The failing query rejects on its own, so the event only needs a listener.
    const onClientError = (error: Error) => {
      broken = error;
    };
    client.on('error', onClientError);
    try {
      return await work(client);
    } catch (error) {
      // A broken client is dropped; only a failed connect opens the circuit, so one killed
      // backend does not delay the next operation.
      if (isConnectionError(error)) broken = error instanceof Error ? error : new Error(String(error));
      throw toStoreError(error, this.target);
    } finally {
      client.off('error', onClientError);
      client.release(broken);
    }
  }

  /** Runs `work` inside `BEGIN ... COMMIT`, rolled back when it throws. */
  transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.use(async (client) => {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // A failed rollback means the connection is gone; the original error says more.
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /** Makes every later operation fail with `db_unavailable` instead of reaching an ended pool. */
  close(): void {
    this.closed = true;
  }

  private async connect(): Promise<PoolClient> {
    if (this.closed) throw new PostgresStoreError('db_unavailable', `the store on ${this.target} is closed`);
    const wait = this.retryAt - Date.now();
    if (wait > 0) {
      throw new PostgresStoreError(
        'db_unavailable',
        `database ${this.target} is unavailable (reconnecting in ${wait} ms)`,
      );
    }
    try {
      const client = await this.pool.connect();
      this.failures = 0;
      this.retryAt = 0;
      return client;
    } catch (error) {
      if (isConnectionError(error)) this.noteFailure();
      throw toStoreError(error, this.target);
    }
  }

  private noteFailure(): void {
    this.failures += 1;
    this.retryAt = Date.now() + backoffDelay(this.failures);
  }
}
