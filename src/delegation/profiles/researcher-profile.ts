import type { ModelSpec } from '../../core/agent.js';
import { ModelBehaviorError } from '../../core/errors.js';
import { canonicalJson } from '../../core/hash.js';
import { addUsage, emptyUsage } from '../../loop/usage.js';
import { AgentTurnError, runAgentTurn } from '../agent-turn.js';
import { profileAgent } from '../built-in-agents.js';
import { runEphemeralTurn } from '../ephemeral-turn.js';
import type { FactJudge } from '../fact-gate.js';
import { gateFacts } from '../fact-gate.js';
import { fanOut } from '../fan-out.js';
import { parseJsonAnswer } from '../json-answer.js';
import { parseOrThrow } from '../parse-args.js';
import type { ResearcherArgs } from '../profile-args.js';
import { researcherArgsSchema } from '../profile-args.js';
import { researchPrompt } from './research-prompt.js';
import type { TaskProfile } from './task-profile.js';

/** Options of {@link researcherProfile}. */
export interface ResearcherProfileOptions {
  /** Custom fact judges, run after the built-in ones. */
  judges?: readonly FactJudge[];
  /** How many variants run at once (default 2). */
  concurrency?: number;
}

/** The researcher's answer, as the agent is asked to give it. */
interface ResearchAnswer {
  items: unknown[];
  citations: unknown[];
  gaps?: unknown[];
  notes?: string;
}

function readAnswer(text: string): ResearchAnswer {
  const value = parseJsonAnswer(text);
  if (!value || !Array.isArray(value.items)) {
    throw new ModelBehaviorError(
      'invalid_answer',
      'the researcher did not answer with JSON { items, citations, gaps?, notes? }',
    );
  }
  return {
    items: value.items,
    citations: Array.isArray(value.citations) ? value.citations : [],
    ...(Array.isArray(value.gaps) && { gaps: value.gaps }),
    ...(typeof value.notes === 'string' && { notes: value.notes }),
  };
}

/** A failure of one variant's own work (its turn, its answer), which the other variants make up for. */
function isVariantFailure(error: unknown): boolean {
  return error instanceof AgentTurnError || error instanceof ModelBehaviorError;
}

/** Unions the answers of several variants; equal entries (canonical JSON) appear once. */
function mergeAnswers(answers: readonly ResearchAnswer[]): ResearchAnswer {
  const unique = (lists: (unknown[] | undefined)[]): unknown[] => {
    const seen = new Map<string, unknown>();
    for (const entry of lists.flatMap((list) => list ?? [])) seen.set(canonicalJson(entry), entry);
    return [...seen.values()];
  };
  const gaps = unique(answers.map((answer) => answer.gaps));
  const notes = answers.flatMap((answer) => (answer.notes ? [answer.notes] : []));
  return {
    items: unique(answers.map((answer) => answer.items)),
    citations: unique(answers.map((answer) => answer.citations)),
    ...(gaps.length > 0 && { gaps }),
    ...(notes.length > 0 && { notes: notes.join('\n\n') }),
  };
}

/**
 * `researcher`: an agent answers the question as JSON; its facts pass the fail-closed fact gate.
 * One variant runs on the task's durable journal; several run side by side and are merged.
 */
export function researcherProfile(
  options: ResearcherProfileOptions = {},
  builtInModel?: ModelSpec,
): TaskProfile {
  return {
    name: 'researcher',
    agentName: 'researcher',
    parseArgs: (args) => parseOrThrow(researcherArgsSchema, args),
    prompt: (args) => researchPrompt(args as ResearcherArgs),
    agents: (_args, loaded) => [profileAgent('researcher', loaded, builtInModel)],
    async run(context) {
      const args = context.task.args as ResearcherArgs;
      const agent = profileAgent('researcher', context.agents, builtInModel);
      const variants = args.variants ?? 1;
      await context.progress({ iteration: 1, phase: 'researching' });
      let usage = emptyUsage();
      const answers: ResearchAnswer[] = [];
      if (variants === 1) {
        const turn = await runAgentTurn({
          agent,
          journal: context.journal,
          signal: context.signal,
          turnOptions: context.turnOptions,
          withAgentTools: context.withAgentTools,
        });
        usage = turn.usage;
        answers.push(readAnswer(turn.text));
      } else {
        const outcomes = await fanOut(
          Array.from({ length: variants }, (_, index) => index),
          async (index, _position, signal) => {
            const prompt = `${researchPrompt(args)}\n\n(Variant ${index + 1} of ${variants}: research independently.)`;
            const turn = await runEphemeralTurn({
              agent,
              prompt,
              signal,
              turnOptions: context.turnOptions,
              withAgentTools: context.withAgentTools,
            });
            usage = addUsage(usage, turn.usage);
            return readAnswer(turn.text);
          },
          { concurrency: options.concurrency ?? 2, signal: context.signal },
        );
        for (const outcome of outcomes) if (outcome.ok) answers.push(outcome.value);
        // A variant whose turn failed or answered badly is left out; a set-up failure (servers
        // that did not connect) fails the task, as it would fail every variant.
        const failure = outcomes.find(
          (outcome) => !outcome.ok && (answers.length === 0 || !isVariantFailure(outcome.error)),
        );
        if (failure && !failure.ok) throw failure.error;
      }
      await context.progress({ iteration: 1, phase: 'gating' });
      const answer = mergeAnswers(answers);
      const gate = await gateFacts(answer.items, {
        ...(args.config?.minPassageLength !== undefined && {
          minPassageLength: args.config.minPassageLength,
        }),
        ...(args.config?.selfGeneratedKinds && { selfGeneratedKinds: args.config.selfGeneratedKinds }),
        ...(options.judges && { judges: options.judges }),
      });
      const { items: _items, ...rest } = answer;
      return { result: { items: gate.accepted, rejected: gate.rejected, ...rest }, usage };
    },
  };
}
