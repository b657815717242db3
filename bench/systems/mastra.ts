// Mastra (`@mastra/core` 0.24, the last line that runs on Node 20): an Agent with a tool and
// `maxSteps`, on a fake AI SDK v2 language model (the specification Mastra 0.24 calls).
import { Agent } from '@mastra/core/agent';
import { createTool } from '@mastra/core/tools';
import { z } from 'zod';
import { BenchRunError, decide, type LoopSystem, type StepMark, stepTool } from './system.js';

const usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

/** A LanguageModelV2 whose `doGenerate` follows the bench script; Mastra's `generate` calls only that. */
function fakeModel(steps: number, mark: StepMark) {
  const model = {
    specificationVersion: 'v2' as const,
    provider: 'bench',
    modelId: 'fake',
    supportedUrls: {},
    calls: 0,
    async doGenerate() {
      mark();
      const index = model.calls;
      model.calls += 1;
      const decision = decide(index, steps);
      return {
        content:
          decision.kind === 'tool'
            ? [
                {
                  type: 'tool-call' as const,
                  toolCallId: `call_${index}`,
                  toolName: 'step',
                  input: JSON.stringify(decision.input),
                },
              ]
            : [{ type: 'text' as const, text: decision.text }],
        finishReason: decision.kind === 'tool' ? ('tool-calls' as const) : ('stop' as const),
        usage,
        warnings: [],
      };
    },
    doStream(): never {
      throw new BenchRunError('the bench runs Mastra without streaming');
    },
  };
  return model;
}

/** Mastra in memory (no storage configured). */
export async function openMastra(): Promise<LoopSystem> {
  const step = createTool({
    id: 'step',
    description: 'one step',
    inputSchema: z.object({ i: z.number() }),
    execute: async ({ context }) => stepTool(context),
  });
  return {
    async run(steps, mark) {
      const model = fakeModel(steps, mark);
      const agent = new Agent({
        name: 'bench',
        instructions: 'Call step until told to stop.',
        model,
        tools: { step },
      });
      await agent.generate('go', { maxSteps: steps });
      if (model.calls !== steps) throw new BenchRunError(`Mastra made ${model.calls} model calls`);
    },
    close: async () => {},
  };
}
