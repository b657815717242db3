// The systems the loop bench can run, by id. Each is imported only in the child process that
// measures it, so no system's modules weigh on another's peak RSS.
import type { BatonStoreKind } from './baton.js';
import type { LoopSystem } from './system.js';

/** A system the bench can measure: its label in the tables and how to open it. */
export interface SystemEntry {
  label: string;
  open(): Promise<LoopSystem>;
}

const baton = (kind: BatonStoreKind) => async () => (await import('./baton.js')).openBaton(kind);

/** Every system, by the id given on the child's command line. */
export const SYSTEMS = {
  'baton-memory': { label: 'Baton, in memory', open: baton('memory') },
  'baton-sqlite-normal': { label: 'Baton, SQLite NORMAL', open: baton('sqlite-normal') },
  'baton-sqlite-full': { label: 'Baton, SQLite FULL (fsync)', open: baton('sqlite-full') },
  'baton-postgres': { label: 'Baton, Postgres', open: baton('postgres') },
  'ai-sdk': {
    label: 'AI SDK 6 generateText, in memory',
    open: async () => (await import('./ai-sdk.js')).openAiSdk(),
  },
  'openai-agents': {
    label: 'OpenAI Agents SDK, in memory',
    open: async () => (await import('./openai-agents.js')).openOpenAiAgents(),
  },
  mastra: { label: 'Mastra Agent, in memory', open: async () => (await import('./mastra.js')).openMastra() },
  'langgraph-memory': {
    label: 'LangGraph, MemorySaver',
    open: async () => (await import('./langgraph.js')).openLangGraph('memory'),
  },
  'langgraph-sqlite': {
    label: 'LangGraph, SqliteSaver NORMAL',
    open: async () => (await import('./langgraph.js')).openLangGraph('sqlite'),
  },
  'dbos-postgres': {
    label: 'DBOS, Postgres (1 checkpoint/step)',
    open: async () => (await import('./dbos.js')).openDbos(),
  },
} satisfies Record<string, SystemEntry>;

/** A system id. */
export type SystemId = keyof typeof SYSTEMS;

/** Whether `value` names a system. */
export function isSystemId(value: string | undefined): value is SystemId {
  return value !== undefined && Object.hasOwn(SYSTEMS, value);
}
