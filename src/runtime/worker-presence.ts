import { hostname } from 'node:os';
import type { RuntimeContext } from './runtime-context.js';

/** Options of {@link announcePresence}. */
export interface PresenceOptions {
  owner: string;
  concurrency: number;
  /** Heartbeats go out every ttl/3; an entry not refreshed for `ttlMs` is stale. */
  ttlMs: number;
  /** How many runs the worker executes right now. */
  runsInFlight: () => number;
  /** Told when a heartbeat could not be written (the worker keeps working). */
  onError?: (error: unknown) => void;
}

/** A worker's entry in the registry, kept fresh until {@link Presence.stop}. */
export interface Presence {
  /** Writes a heartbeat now (e.g. when what the worker serves changed). */
  beat(): Promise<void>;
  /** Stops the heartbeats and removes the entry. */
  stop(): Promise<void>;
}

/**
 * Announces a worker in the store's registry (`baton workers list`, `GET /v1/workers`): who
 * it is, what it serves, how busy it is. Heartbeats every ttl/3 keep the entry live; one that
 * stops (a killed worker) expires after the TTL, like its leases.
 */
export function announcePresence(context: RuntimeContext, options: PresenceOptions): Presence {
  const startedAt = new Date().toISOString();
  const beat = async (): Promise<void> => {
    await context.store
      .announceWorker(
        {
          id: options.owner,
          host: hostname(),
          pid: process.pid,
          ...context.served.serves(),
          concurrency: options.concurrency,
          runsInFlight: options.runsInFlight(),
          startedAt,
        },
        options.ttlMs,
      )
      .catch((error: unknown) => options.onError?.(error));
  };
  const timer = setInterval(() => void beat(), Math.max(1, Math.floor(options.ttlMs / 3)));
  // The heartbeat must never keep a process alive on its own.
  timer.unref();
  void beat();
  return {
    beat,
    async stop() {
      clearInterval(timer);
      await context.store.removeWorker(options.owner).catch((error: unknown) => options.onError?.(error));
    },
  };
}
