import pg from 'pg';
import { ConflictError, LeaseLostError } from '../../core/errors.js';
import type { BatonEvent, EventDraft } from '../../core/events.js';
import type { ListOptions, Page } from '../page.js';
import type {
  AppendOptions,
  Claim,
  ClaimOptions,
  EventListener,
  Fence,
  ListRunsOptions,
  NewRun,
  NewSession,
  NewSessionStart,
  ReadEventsOptions,
  RunPatch,
  RunRecord,
  SessionPatch,
  SessionRecord,
  StepBoundary,
} from '../run-store.js';
import type { Store } from '../store.js';
import type { ListTasksOptions, NewTask, TaskPatch, TaskRecord } from '../task-store.js';
import type { WorkerAnnouncement, WorkerRecord } from '../worker-registry.js';
import { AppendNotifier, decodeNotice } from './append-notifier.js';
import * as blobs from './blob-queries.js';
import type { PostgresStoreOptions } from './config.js';
import { resolvePostgresConfig } from './config.js';
import { ConnectionGate } from './connection.js';
import { EndedLeases } from './ended-leases.js';
import { toStoreError } from './errors.js';
import { EventFeed } from './event-feed.js';
import * as events from './event-queries.js';
import * as leases from './lease-queries.js';
import * as marks from './mark-queries.js';
import { migrate } from './migrations.js';
import { NotificationListener } from './notification-listener.js';
import * as runs from './run-queries.js';
import { SessionAppender } from './session-appender.js';
import * as sessions from './session-queries.js';
import { startSessionAtOnce } from './start-statement.js';
import * as tasks from './task-queries.js';
import * as workers from './worker-queries.js';

/**
 * The Store port on PostgreSQL, for many processes on many machines sharing one database
 * (docs/postgres.md). Every method is one statement or one transaction on a pooled
 * connection; live events cross processes through LISTEN/NOTIFY on a dedicated connection.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres';
  /** The schema holding this store's tables. */
  readonly schema: string;
  private readonly gate: ConnectionGate;
  private readonly feed: EventFeed;
  private readonly notifier: AppendNotifier;
  private readonly appender: SessionAppender;
  private readonly leases = new EndedLeases();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly listener: NotificationListener,
    feed: EventFeed,
    gate: ConnectionGate,
    schema: string,
    channel: string,
    onError: (error: unknown) => void,
  ) {
    this.feed = feed;
    this.gate = gate;
    this.schema = schema;
    this.notifier = new AppendNotifier(channel, (sql) => gate.use((client) => client.query(sql)), onError);
    this.appender = new SessionAppender(gate, this.leases);
  }

  /** Connects and migrates the schema (LISTEN starts with the first subscription); rejects with a typed startup error. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const config = resolvePostgresConfig(url, options);
    const onError = options.onError ?? (() => undefined);
    const pool = new pg.Pool(config.pool);
    // An idle client whose connection drops emits 'error' on the pool; unhandled, it would
    // crash the process. The next operation simply gets a fresh connection.
    pool.on('error', onError);
    const gate = new ConnectionGate(pool, config.target);
    const channel = `baton_events.${config.schema}`;
    try {
      await gate.use((client) => migrate(client, config.schema));
    } catch (error) {
      // The migration's error is the one to report; closing a pool that failed may fail too.
      await pool.end().catch(() => undefined);
      throw toStoreError(error, config.target);
    }
    const feed = new EventFeed(
      {
        readFrom: (sessionId, from) => gate.use((client) => events.readEvents(client, sessionId, { from })),
        readFresh: (sessionId, fromSeq, ts) =>
          gate.use((client) => events.readFresh(client, sessionId, fromSeq, ts)),
        sessionsWithEventsSince: (since) =>
          gate.use((client) => events.sessionsWithEventsSince(client, since)),
      },
      onError,
    );
    const listener = new NotificationListener({
      config: { ...config.client, application_name: `${config.client.application_name ?? 'baton'}:listen` },
      channel,
      target: config.target,
      onNotification: (payload) => {
        const notice = decodeNotice(payload);
        if (notice) feed.notified(notice);
      },
      onReconnected: (lostAt) => {
        feed.reconnected(lostAt).catch(onError);
      },
      onError,
    });
    return new PostgresStore(pool, listener, feed, gate, config.schema, channel, onError);
  }

  createSession(session: NewSession): Promise<SessionRecord> {
    return this.gate.use((client) => sessions.createSession(client, session));
  }

  async startSession(start: NewSessionStart): Promise<{ run: RunRecord; created: boolean }> {
    if (start.run.idempotencyKey === null) {
      const { run, events } = await this.gate.use((client) => startSessionAtOnce(client, start));
      this.appender.offerHead(start.session.id, events.at(-1));
      await this.published(start.session.id, events);
      return { run, created: true };
    }
    const started = await this.gate
      .transaction(async (client) => {
        const result = await sessions.startSession(client, start);
        // A taken key found only at the insert: roll the session back, then read the winner.
        if (!result) throw KEY_TAKEN;
        return result;
      })
      .catch(async (error: unknown) => {
        if (error !== KEY_TAKEN) throw error;
        const winner = await this.findRunByIdempotencyKey(start.run.idempotencyKey as string);
        if (!winner) throw error;
        return { created: false as const, run: winner };
      });
    if (started.created) await this.published(start.session.id, started.events);
    return { run: started.run, created: started.created };
  }

  getSession(id: string): Promise<SessionRecord | undefined> {
    return this.gate.use((client) => sessions.getSession(client, id));
  }

  findSessionByTokenHash(tokenHash: string): Promise<SessionRecord | undefined> {
    return this.gate.use((client) => sessions.findSessionByTokenHash(client, tokenHash));
  }

  listSessions(options: ListOptions): Promise<Page<SessionRecord>> {
    return this.gate.use((client) => sessions.listSessions(client, options));
  }

  updateSession(id: string, patch: SessionPatch): Promise<void> {
    return this.gate.use((client) => sessions.updateSession(client, id, patch, new Date().toISOString()));
  }

  createRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }> {
    return this.gate.use((client) => runs.createRun(client, run));
  }

  getRun(id: string): Promise<RunRecord | undefined> {
    return this.gate.use((client) => runs.getRun(client, id));
  }

  findRunByIdempotencyKey(key: string): Promise<RunRecord | undefined> {
    return this.gate.use((client) => runs.findRunByIdempotencyKey(client, key));
  }

  listRuns(options: ListRunsOptions): Promise<Page<RunRecord>> {
    return this.gate.use((client) => runs.listRuns(client, options));
  }

  listActiveAgentModules(options: { pool?: string } = {}): Promise<string[]> {
    return this.gate.use((client) => runs.listActiveAgentModules(client, options.pool));
  }

  updateRun(id: string, patch: RunPatch, fence?: Fence): Promise<RunRecord> {
    // The database would fence it out just the same (see EndedLeases).
    if (fence && this.leases.hasEnded(fence)) return Promise.reject(new LeaseLostError(fence.runId));
    const now = new Date().toISOString();
    // A fence on the same run is checked by the UPDATE itself; one on another run needs a lock.
    const updated =
      !fence || fence.runId === id
        ? this.gate.use((client) => runs.updateRun(client, id, patch, now, fence))
        : this.gate.transaction((client) => runs.updateRun(client, id, patch, now, fence));
    // A cancel request made here must show at the run's next step boundary, even if an append
    // that read the flag before this update returns after it.
    this.appender.forgetRun(id);
    const forget = () => this.appender.forgetRun(id);
    updated.then(() => {
      forget();
      this.leases.noteUpdated(id, patch, fence);
    }, forget);
    return updated;
  }

  async append(sessionId: string, drafts: EventDraft[], options: AppendOptions): Promise<BatonEvent[]> {
    const committed = await this.appender.append(sessionId, drafts, options);
    await this.published(sessionId, committed);
    return committed;
  }

  readEvents(sessionId: string, options?: ReadEventsOptions): Promise<BatonEvent[]> {
    return this.gate.use((client) => events.readEvents(client, sessionId, options));
  }

  head(sessionId: string): Promise<{ seq: number; hash: string } | undefined> {
    return this.gate.use((client) => events.readHead(client, sessionId));
  }

  /** From what the run's latest append returned when this process knows it; else one statement. */
  stepBoundary(sessionId: string, runId: string): Promise<StepBoundary> {
    const known = this.appender.knownBoundary(sessionId, runId);
    if (known) return Promise.resolve(known);
    return this.gate.use((client) => events.readStepBoundary(client, sessionId, runId));
  }

  subscribe(sessionId: string, listener: EventListener): () => void {
    const unsubscribe = this.feed.subscribe(sessionId, listener);
    this.listener.listen();
    return unsubscribe;
  }

  putBlob(bytes: Uint8Array): Promise<string> {
    return this.gate.use((client) => blobs.putBlob(client, bytes));
  }

  getBlob(hash: string): Promise<Uint8Array | undefined> {
    return this.gate.use((client) => blobs.getBlob(client, hash));
  }

  async claimRun(owner: string, ttlMs: number, options?: ClaimOptions): Promise<Claim | undefined> {
    const claimed = await this.gate.use((client) => leases.claimRun(client, owner, ttlMs, options));
    if (!claimed) return undefined;
    // The run's first append then starts from this head instead of reading it.
    this.appender.offerHead(claimed.claim.run.sessionId, claimed.head);
    return claimed.claim;
  }

  renewLease(fence: Fence, ttlMs: number, options: { activeMs?: number } = {}): Promise<boolean> {
    if (this.leases.hasEnded(fence)) return Promise.resolve(false);
    return this.gate.use((client) => leases.renewLease(client, fence, ttlMs, options.activeMs));
  }

  releaseLease(fence: Fence): Promise<void> {
    // Nothing to release: the lease this fence held is already gone.
    if (this.leases.hasEnded(fence)) return Promise.resolve();
    return this.gate.use((client) => leases.releaseLease(client, fence));
  }

  createTask(task: NewTask): Promise<{ task: TaskRecord; created: boolean }> {
    return this.gate.use((client) => tasks.createTask(client, task));
  }

  getTask(id: string): Promise<TaskRecord | undefined> {
    return this.gate.use((client) => tasks.getTask(client, id));
  }

  findTaskByIdempotencyKey(key: string): Promise<TaskRecord | undefined> {
    return this.gate.use((client) => tasks.findTaskByIdempotencyKey(client, key));
  }

  findTaskByRunId(runId: string): Promise<TaskRecord | undefined> {
    return this.gate.use((client) => tasks.findTaskByRunId(client, runId));
  }

  listTasks(options: ListTasksOptions): Promise<Page<TaskRecord>> {
    return this.gate.use((client) => tasks.listTasks(client, options));
  }

  updateTask(id: string, patch: TaskPatch): Promise<TaskRecord> {
    return this.gate.use((client) => tasks.updateTask(client, id, patch));
  }

  pruneTasks(keep: number): Promise<number> {
    return this.gate.use((client) => tasks.pruneTasks(client, keep));
  }

  announceWorker(worker: WorkerAnnouncement, ttlMs: number): Promise<void> {
    return this.gate.use((client) => workers.announceWorker(client, worker, ttlMs));
  }

  listWorkers(): Promise<WorkerRecord[]> {
    return this.gate.use((client) => workers.listWorkers(client));
  }

  removeWorker(id: string): Promise<void> {
    return this.gate.use((client) => workers.removeWorker(client, id));
  }

  putMark(scope: string, key: string): Promise<boolean> {
    return this.gate.use((client) => marks.putMark(client, scope, key));
  }

  deleteMark(scope: string, key: string): Promise<void> {
    return this.gate.use((client) => marks.deleteMark(client, scope, key));
  }

  listMarks(scope: string): Promise<string[]> {
    return this.gate.use((client) => marks.listMarks(client, scope));
  }

  /** Stops listening, drops subscribers and closes every connection; later calls are no-ops. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      // Notices of committed appends still go out: other processes' readers are waiting for them.
      await this.notifier.flushed();
      this.gate.close();
      this.feed.clear();
      await this.listener.close();
      await this.pool.end();
    })();
    return this.closing;
  }

  /**
   * Tells other processes (NOTIFY, in the background: the caller does not wait for it) and this
   * one's subscribers about committed events.
   */
  private async published(sessionId: string, committed: readonly BatonEvent[]): Promise<void> {
    const first = committed[0];
    const last = committed.at(-1);
    if (first && last) this.notifier.notify({ sessionId, fromSeq: first.seq, toSeq: last.seq });
    await this.feed.committed(committed);
  }
}

/**
 * Thrown inside a start's transaction to roll it back when its idempotency key is taken; a
 * BatonError, so the connection gate passes it through unchanged.
 */
const KEY_TAKEN = new ConflictError('the idempotency key is taken', 'idempotency_key_taken');
