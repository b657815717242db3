import type { Agent, ModelSpec } from '../../core/agent.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { addUsage, emptyUsage } from '../../loop/usage.js';
import { captureWorkspace } from '../../workspace/capture.js';
import { buildSandboxPolicy } from '../../workspace/sandbox/policy.js';
import { profileAgent } from '../built-in-agents.js';
import { fanOut } from '../fan-out.js';
import { parseOrThrow } from '../parse-args.js';
import type { CoderArgs } from '../profile-args.js';
import { coderArgsSchema } from '../profile-args.js';
import { findRepository } from '../repository-roots.js';
import { assertSelectable, selectWinner } from '../winner.js';
import type { CoderCandidate } from './coder-candidate.js';
import { runCandidate } from './coder-candidate.js';
import { coderPrompt } from './coder-prompt.js';
import { PatchRejectedError } from './patch-rejected-error.js';
import type { TaskProfile } from './task-profile.js';

/** Options of {@link coderProfile}. A delegated task always runs in the bwrap sandbox. */
export interface CoderProfileOptions {
  /** Variants running at once (default 2). */
  concurrency?: number;
  /** Paths hidden from every command of a coder task besides the ones every policy hides (the server's Baton home...). */
  hidePaths?: readonly string[];
}

const DEFAULT_COMMAND_TIMEOUT_MS = 120_000;

function reviewerAgent(
  agents: ReadonlyMap<string, Agent>,
  name: string | undefined,
  builtInModel: ModelSpec | undefined,
): Agent | undefined {
  if (name === undefined) return undefined;
  const loaded = agents.get(name);
  if (loaded) return loaded;
  if (name === 'reviewer') return profileAgent('reviewer', agents, builtInModel);
  throw new NotFoundError('agent', name);
}

/**
 * `coder`: captures `repoRoot`, runs each variant on its own sandboxed checkout, validates every
 * patch, and picks a winner among those that pass. The result holds every candidate's
 * validation; when none passes the task fails with `patch_rejected` and the same result.
 */
export function coderProfile(options: CoderProfileOptions = {}, builtInModel?: ModelSpec): TaskProfile {
  return {
    name: 'coder',
    agentName: 'coder',
    parseArgs(args) {
      const parsed = parseOrThrow(coderArgsSchema, args);
      const selection = parsed.selection ?? parsed.config?.selection ?? 'highest-score';
      try {
        assertSelectable(selection, parsed.config?.reviewer !== undefined);
      } catch (error) {
        throw error instanceof ValidationError
          ? new ValidationError(`args.${error.message}`, 'args.selection')
          : error;
      }
      return parsed;
    },
    prompt: (args) => coderPrompt(args as CoderArgs),
    agents(args, loaded) {
      const reviewer = reviewerAgent(loaded, (args as CoderArgs).config?.reviewer, builtInModel);
      return [profileAgent('coder', loaded, builtInModel), ...(reviewer ? [reviewer] : [])];
    },
    async run(context) {
      const args = context.task.args as CoderArgs;
      const agent = profileAgent('coder', context.agents, builtInModel);
      const reviewer = reviewerAgent(context.agents, args.config?.reviewer, builtInModel);
      const selection = args.selection ?? args.config?.selection ?? 'highest-score';
      const variants = args.variants ?? 1;
      await context.progress({ iteration: 0, phase: 'capturing' });
      // A missing path or non-repository says so (`repo_not_found`), rather than failing in git.
      await findRepository(args.repoRoot, context.env, context.signal);
      const manifest = await captureWorkspace(
        args.repoRoot,
        { signal: context.signal, hostEnv: context.env },
        context.store,
      );
      // One policy for the task; never `none`: a caller of MCP or HTTP cannot opt out of isolation.
      const policy = await buildSandboxPolicy({
        sandbox: 'bwrap',
        sourceRepository: args.repoRoot,
        hide: options.hidePaths ?? [],
        signal: context.signal,
        hostEnv: context.env,
      });
      let finished = 0;
      const order = new Map<number, number>();
      const outcomes = await fanOut(
        Array.from({ length: variants }, (_, index) => index),
        async (variant, _index, signal) => {
          const candidate = await runCandidate(
            {
              variant,
              variants,
              args,
              manifest,
              store: context.store,
              hostEnv: context.env,
              agent,
              reviewer,
              policy,
              commandTimeoutMs: args.config?.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
              turnOptions: context.turnOptions,
              withAgentTools: context.withAgentTools,
            },
            signal,
          );
          order.set(variant, finished);
          finished += 1;
          await context.progress({ iteration: finished, phase: 'validating' });
          return candidate;
        },
        { concurrency: options.concurrency ?? 2, signal: context.signal },
      );
      const failure = outcomes.find((outcome) => !outcome.ok);
      if (failure && !failure.ok) throw failure.error;
      const candidates = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.value] : []));
      await context.progress({ iteration: finished, phase: 'selecting' });
      const winner = selectWinner(
        candidates.map((candidate) => ({
          variant: candidate.variant,
          passed: candidate.passed,
          diffLines: candidate.validation.diffLines,
          finishedOrder: order.get(candidate.variant) ?? candidate.variant,
          ...(candidate.review && { review: candidate.review }),
        })),
        selection,
      );
      const usage = candidates.reduce((total, candidate) => addUsage(total, candidate.usage), emptyUsage());
      const result = codeResult(candidates, winner, selection, manifest.baseRef);
      if (winner === undefined) throw new PatchRejectedError(candidates, result, usage);
      return { result, usage };
    },
  };
}

/** The coder task result: the winning patch and every candidate without its usage detail. */
function codeResult(
  candidates: CoderCandidate[],
  winner: number | undefined,
  selection: string,
  baseRef: string,
) {
  const chosen = candidates.find((candidate) => candidate.variant === winner);
  return {
    winner: winner ?? null,
    selection,
    baseRef,
    patchHash: chosen?.patchHash ?? null,
    summary: chosen?.summary ?? null,
    candidates: candidates.map(({ usage: _usage, ...candidate }) => candidate),
  };
}
