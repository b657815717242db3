import pg from 'pg';
import { backoffDelay } from './connection.js';
import { toStoreError } from './errors.js';

/** Options of {@link NotificationListener}. */
export interface NotificationListenerOptions {
  config: pg.ClientConfig;
  channel: string;
  /** Redacted URL for error messages. */
  target: string;
  onNotification(payload: string | undefined): void;
  /** Called after a lost connection is back and listening; `lostAt` is when the loss was seen (epoch ms). */
  onReconnected(lostAt: number): void;
  onError(error: unknown): void;
}

/**
 * One dedicated connection (not from the pool: a pooled client would be handed to queries)
 * that LISTENs on the store's channel, opened only once something subscribes (a worker that
 * never streams never receives every commit's notification). When the connection drops it
 * reconnects with exponential backoff and reports the gap, so the store can catch up.
 */
export class NotificationListener {
  private client: pg.Client | undefined;
  private closed = false;
  private started = false;
  private lostAt: number | undefined;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: NotificationListenerOptions) {}

  /**
   * Starts listening, in the background, the first time it is called. The first connection
   * counts as a reconnection after a gap that began now: `onReconnected` lets the store catch
   * up on whatever was committed while it was being opened.
   */
  listen(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.lostAt = Date.now();
    void this.reconnect();
  }

  /** Stops listening and closes the connection. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    // Closing: a connection that already dropped has nothing left to end.
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client(this.options.config);
    // Without an 'error' listener a dropped connection would crash the process.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, undefined));
    client.on('notification', (message) => {
      if (message.channel === this.options.channel) this.options.onNotification(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(this.options.channel)}`);
    } catch (error) {
      client.removeAllListeners('end');
      // The connect error is the one to report; ending a half-open client may fail too.
      await client.end().catch(() => undefined);
      throw toStoreError(error, this.options.target);
    }
    return client;
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.closed || client !== this.client) return;
    this.client = undefined;
    this.lostAt ??= Date.now();
    if (error !== undefined) this.options.onError(toStoreError(error, this.options.target));
    client.removeAllListeners('end');
    // The loss was reported above; ending the dead connection may fail too.
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.attempt += 1;
    this.timer = setTimeout(() => void this.reconnect(), backoffDelay(this.attempt));
    // A reconnect loop must not keep an otherwise finished process alive.
    this.timer.unref();
  }

  private async reconnect(): Promise<void> {
    if (this.closed) return;
    let client: pg.Client;
    try {
      client = await this.connect();
    } catch (error) {
      this.options.onError(error);
      this.scheduleReconnect();
      return;
    }
    if (this.closed) {
      // Closed while connecting: the new connection is not wanted, and nobody is listening.
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    const lostAt = this.lostAt ?? Date.now();
    this.lostAt = undefined;
    this.attempt = 0;
    this.options.onReconnected(lostAt);
  }
}
