// LangGraph.js: the loop as a StateGraph (agent node → tools node → agent …) with a
// checkpointer: MemorySaver in memory, or SqliteSaver on a file with `durability: 'sync'`
// (each checkpoint committed before the next step), on the same SQLite settings as Baton's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { Annotation, END, MemorySaver, START, StateGraph } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { SqliteFileProbe } from '../_sqlite.js';
import { BenchRunError, decide, type LoopSystem, type StepMark, stepTool } from './system.js';

const State = Annotation.Root({
  messages: Annotation<BaseMessage[]>({ reducer: (left, right) => left.concat(right), default: () => [] }),
  calls: Annotation<number>({ reducer: (_left, right) => right, default: () => 0 }),
});

function loopGraph(steps: number, mark: StepMark) {
  return new StateGraph(State)
    .addNode('agent', (state) => {
      mark();
      const decision = decide(state.calls, steps);
      const message =
        decision.kind === 'tool'
          ? new AIMessage({
              content: '',
              tool_calls: [{ id: `call_${state.calls}`, name: 'step', args: decision.input }],
            })
          : new AIMessage({ content: decision.text });
      return { messages: [message], calls: state.calls + 1 };
    })
    .addNode('tools', (state) => {
      const last = state.messages.at(-1) as AIMessage;
      const results = (last.tool_calls ?? []).map(
        (call) =>
          new ToolMessage({
            tool_call_id: call.id ?? '',
            content: JSON.stringify(stepTool(call.args as { i: number })),
          }),
      );
      return { messages: results };
    })
    .addEdge(START, 'agent')
    .addConditionalEdges('agent', (state) =>
      ((state.messages.at(-1) as AIMessage).tool_calls ?? []).length > 0 ? 'tools' : END,
    )
    .addEdge('tools', 'agent');
}

/** LangGraph with MemorySaver (`'memory'`) or SqliteSaver at synchronous=NORMAL (`'sqlite'`), a fresh thread per run. */
export async function openLangGraph(kind: 'memory' | 'sqlite'): Promise<LoopSystem> {
  const scratch = mkdtempSync(join(tmpdir(), 'baton-bench-langgraph-'));
  const file = new SqliteFileProbe(scratch);
  let runs = 0;
  return {
    async run(steps, mark, bounds) {
      runs += 1;
      const saver = kind === 'memory' ? new MemorySaver() : SqliteSaver.fromConnString(file.next());
      if (saver instanceof SqliteSaver) {
        saver.db.pragma('synchronous = NORMAL');
        // Its tables are made on first use; made here, as Baton's are when its store opens.
        (saver as unknown as { setup(): void }).setup();
      }
      bounds.begun();
      try {
        const app = loopGraph(steps, mark).compile({ checkpointer: saver });
        const result = await app.invoke(
          { messages: [new HumanMessage('go')] },
          { configurable: { thread_id: `run-${runs}` }, durability: 'sync', recursionLimit: steps * 2 + 10 },
        );
        if (result.calls !== steps) throw new BenchRunError(`LangGraph made ${result.calls} model calls`);
        bounds.ended();
      } finally {
        if (saver instanceof SqliteSaver) {
          file.freeze();
          saver.db.close();
        }
      }
    },
    ...(kind === 'sqlite' && { checkpointProbe: () => file.probe() }),
    async close() {
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
