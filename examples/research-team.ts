// Runs with no API key: `npx tsx examples/research-team.ts` — a coordinator starts two researchers
// as background children, ends its turn, is woken by each <task-completed> report, and answers.

import { createRuntime, defineAgent, openStore, scriptedModel } from 'baton-runtime';

/** A researcher: answers its topic (a real one would search, read and summarise). */
const researcher = defineAgent({
  name: 'researcher',
  description: 'Researches one topic.',
  instructions: 'Research the topic you are given and report in one sentence.',
  model: scriptedModel((request) => ({ text: `notes on ${request.lastUserText}` })),
});

/** The texts of the `<task-completed>` reports the coordinator was shown. */
function reports(prompt: readonly { role: string; content: unknown }[]): string[] {
  return prompt.flatMap((message) =>
    message.role === 'user' && Array.isArray(message.content)
      ? message.content.flatMap((part: { type?: string; text?: string }) =>
          part.type === 'text' && part.text?.startsWith('<task-completed') ? [part.text] : [],
        )
      : [],
  );
}

/** Starts both researchers in the background, then answers once both have reported. */
const coordinator = defineAgent({
  name: 'coordinator',
  instructions: 'Split the question into topics, research each in the background, then combine.',
  tools: [researcher.asBackgroundTool()],
  limits: { maxIterations: 8 },
  model: scriptedModel((request) => {
    if (request.step === 0) {
      return {
        toolCalls: [
          { name: 'researcher_in_background', input: { input: 'tides' } },
          { name: 'researcher_in_background', input: { input: 'the moon' } },
        ],
      };
    }
    const seen = reports(request.prompt);
    return { text: seen.length < 2 ? `${seen.length} of 2 reports in` : `Combined: ${seen.join(' ')}` };
  }),
});

export default coordinator;

/** Runs the team on an in-memory store until the coordinator answers; returns its answer and log. */
export async function runResearchTeam(question = 'Why are there tides?') {
  const store = await openStore(':memory:');
  const runtime = createRuntime({ store, agents: [coordinator] });
  try {
    const { sessionId, runId } = await runtime.start({ agent: 'coordinator', message: question });
    // One worker executes the coordinator's runs and the researchers' task runs alike.
    await runtime.startWorker({ concurrency: 2, pollIntervalMs: 20, untilIdle: true }).done;
    const { result } = await runtime.getRun(runId);
    const answer = (result as { text?: string } | null)?.text;
    return { answer, events: await store.readEvents(sessionId) };
  } finally {
    await runtime.close();
    await store.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { answer, events } = await runResearchTeam();
  for (const event of events) console.log(event.seq, event.type);
  console.log(answer);
}
