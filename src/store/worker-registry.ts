import type { AgentModuleEntry, KindAgentsEntry } from './claim-filter.js';

/**
 * What a worker announces about itself: who it is, what it serves and how busy it is. Entries
 * are refreshed by heartbeats and expire when the worker stops sending them.
 */
export interface WorkerAnnouncement {
  /** The worker's lease owner identity. */
  id: string;
  host: string;
  pid: number;
  /** Agent names it serves by name: those it was given and those reachable from them. */
  agents: string[];
  /** Agent modules it loaded from the paths runs recorded, with the agents it serves through each. */
  agentModules: AgentModuleEntry[];
  /** True when it serves any run whose recorded module it can load (a worker given no agents). */
  loadsModules: boolean;
  /** Recorded modules it tried and could not load, and why: their runs are not its to execute. */
  unloadableModules: { module: string; reason: string }[];
  /** Run kinds it serves whatever their agent. */
  kinds: string[];
  /** Run kinds it serves for some agents only (tasks: the agents their profiles need), with those agents. */
  kindAgents: KindAgentsEntry[];
  concurrency: number;
  runsInFlight: number;
  startedAt: string;
  /** The runner pool of a runner (`baton worker --pool`), which the plane announced for it. */
  pool?: string;
  /** A runner's registered Ed25519 key (raw hex): the key that signs the receipts it issues. */
  publicKey?: string;
}

/** A worker's entry as the registry holds it. */
export interface WorkerRecord extends WorkerAnnouncement {
  /** When the last heartbeat arrived (ISO 8601). */
  lastHeartbeatAt: string;
  /** Epoch milliseconds after which the entry is stale and no longer listed. */
  expiresAt: number;
}

/** The port of the registry of live workers; every implementation passes `workerRegistryContract`. */
export interface WorkerRegistry {
  /**
   * Creates or refreshes a worker's entry, live for `ttlMs` from now; stale entries of other
   * workers are removed meanwhile.
   */
  announceWorker(worker: WorkerAnnouncement, ttlMs: number): Promise<void>;
  /** The live (unexpired) workers, oldest first. */
  listWorkers(): Promise<WorkerRecord[]>;
  /** Removes a worker's entry (it stopped). */
  removeWorker(id: string): Promise<void>;
}

/** The part of an announcement that says what the worker serves; SQL stores keep it as one JSON column. */
export type WorkerServes = Pick<
  WorkerAnnouncement,
  | 'agents'
  | 'agentModules'
  | 'loadsModules'
  | 'unloadableModules'
  | 'kinds'
  | 'kindAgents'
  | 'pool'
  | 'publicKey'
>;

/** The serving part of an announcement. */
export function servesOf(worker: WorkerAnnouncement): WorkerServes {
  const { agents, agentModules, loadsModules, unloadableModules, kinds, kindAgents, pool, publicKey } =
    worker;
  return {
    agents,
    agentModules,
    loadsModules,
    unloadableModules,
    kinds,
    kindAgents,
    ...(pool !== undefined && { pool }),
    ...(publicKey !== undefined && { publicKey }),
  };
}
