// Public API of `baton-runtime/testing`: deterministic pieces for tests, demos and benchmarks.
// It loads without vitest; the contract suites, which need it, are `baton-runtime/testing/contracts`.
// Every export here is public API, pinned by test/public-api.test.ts.
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
export { listenOnLoopback } from './listen-on-loopback.js';
export type { WaitForOptions } from './wait-for.js';
export { waitFor } from './wait-for.js';
