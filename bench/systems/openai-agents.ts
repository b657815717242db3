// The OpenAI Agents SDK (`@openai/agents-core`): an Agent with a function tool, `Runner.run`,
// and a fake model implementing the SDK's `Model` interface. Tracing is off: it would export
// spans over the network, and the other systems trace nothing either.
import {
  Agent,
  type Model,
  type ModelResponse,
  Runner,
  setTracingDisabled,
  tool,
  Usage,
} from '@openai/agents-core';
import { z } from 'zod';
import { BenchRunError, decide, type LoopSystem, type StepMark, stepTool } from './system.js';

function fakeModel(steps: number, mark: StepMark): Model & { calls: number } {
  return {
    calls: 0,
    async getResponse(): Promise<ModelResponse> {
      mark();
      const index = this.calls;
      this.calls += 1;
      const decision = decide(index, steps);
      return {
        usage: new Usage(),
        output:
          decision.kind === 'tool'
            ? [
                {
                  type: 'function_call',
                  callId: `call_${index}`,
                  name: 'step',
                  arguments: JSON.stringify(decision.input),
                  status: 'completed',
                },
              ]
            : [
                {
                  type: 'message',
                  role: 'assistant',
                  status: 'completed',
                  content: [{ type: 'output_text', text: decision.text }],
                },
              ],
      };
    },
    getStreamedResponse() {
      throw new BenchRunError('the bench runs the OpenAI Agents SDK without streaming');
    },
  };
}

/** The OpenAI Agents SDK in memory (its default: no session store). */
export async function openOpenAiAgents(): Promise<LoopSystem> {
  setTracingDisabled(true);
  const step = tool({
    name: 'step',
    description: 'one step',
    parameters: z.object({ i: z.number() }),
    execute: (input) => JSON.stringify(stepTool(input)),
  });
  return {
    async run(steps, mark) {
      const model = fakeModel(steps, mark);
      const agent = new Agent({
        name: 'bench',
        instructions: 'Call step until told to stop.',
        model,
        tools: [step],
      });
      const runner = new Runner({ tracingDisabled: true });
      const result = await runner.run(agent, 'go', { maxTurns: steps });
      if (model.calls !== steps || result.finalOutput !== 'done')
        throw new BenchRunError(`OpenAI Agents made ${model.calls} model calls`);
    },
    close: async () => {},
  };
}
