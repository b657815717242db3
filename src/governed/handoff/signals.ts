/** What a trigger reads of one tool call of local work. */
export interface ToolCallSignal {
  name: string;
  ok: boolean;
  durationMs: number;
}

/** What local work has shown so far: the facts the triggers of a policy read. */
export interface HandoffSignals {
  /** The reason given to `requestContinuation`, or null while nobody asked. */
  continuationRequested: string | null;
  toolCalls: readonly ToolCallSignal[];
  modelEscalated: boolean;
}
