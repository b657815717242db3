// The Vercel AI SDK 6: `generateText` with a tool and a step limit, on its own mock model.
import type { LanguageModelV3GenerateResult } from '@ai-sdk/provider';
import { tool as aiTool, generateText, stepCountIs } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';
import { BenchRunError, decide, type LoopSystem, stepTool } from './system.js';

const usage: LanguageModelV3GenerateResult['usage'] = {
  inputTokens: { total: 0, noCache: 0, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 0, text: 0, reasoning: undefined },
};

/** The AI SDK in memory (it has no store of its own). */
export async function openAiSdk(): Promise<LoopSystem> {
  const tools = {
    step: aiTool({ description: 'one step', inputSchema: z.object({ i: z.number() }), execute: stepTool }),
  };
  return {
    async run(steps, mark) {
      let calls = 0;
      const model = new MockLanguageModelV3({
        doGenerate: async (): Promise<LanguageModelV3GenerateResult> => {
          mark();
          const index = calls;
          calls += 1;
          const decision = decide(index, steps);
          return {
            content:
              decision.kind === 'tool'
                ? [
                    {
                      type: 'tool-call',
                      toolCallId: `call_${index}`,
                      toolName: 'step',
                      input: JSON.stringify(decision.input),
                    },
                  ]
                : [{ type: 'text', text: decision.text }],
            finishReason: { unified: decision.kind === 'tool' ? 'tool-calls' : 'stop', raw: undefined },
            usage,
            warnings: [],
          };
        },
      });
      const result = await generateText({
        model,
        system: 'Call step until told to stop.',
        prompt: 'go',
        tools,
        stopWhen: stepCountIs(steps),
      });
      if (result.steps.length !== steps) throw new BenchRunError(`AI SDK took ${result.steps.length} steps`);
    },
    close: async () => {},
  };
}
