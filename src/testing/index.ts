// Public API of `baton/testing`: test helpers and contract suites. Every export here is public API.

export type { MemoryJournalOptions } from '../loop/memory-journal.js';
export { MemoryJournal } from '../loop/memory-journal.js';
export type { FakeClock } from '../model/fake-clock.js';
export { fakeClock } from '../model/fake-clock.js';
export type {
  Script,
  ScriptEntry,
  ScriptedRequest,
  ScriptedStep,
  ScriptedToolCall,
} from '../model/scripted-model.js';
export { scriptedModel } from '../model/scripted-model.js';
export { sandboxContract } from './sandbox-contract.js';
export type { StoreUnderTest } from './store-contract.js';
export { storeContract } from './store-contract.js';
