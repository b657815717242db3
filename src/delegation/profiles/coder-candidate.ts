import type { Agent } from '../../core/agent.js';
import type { Environment } from '../../core/environment.js';
import type { ErrorBody } from '../../core/errors.js';
import { toErrorBody } from '../../core/errors.js';
import type { Usage } from '../../core/events.js';
import type { SandboxPolicy } from '../../core/sandbox-policy.js';
import type { TurnSettings } from '../../loop/types.js';
import { addUsage, emptyUsage } from '../../loop/usage.js';
import type { WithAgentTools } from '../../runtime/agent-tools.js';
import type { Store } from '../../store/store.js';
import type { WorkspaceManifest } from '../../workspace/manifest.js';
import { sandboxExec } from '../../workspace/sandbox/sandbox-exec.js';
import { openScratchWorkspace } from '../../workspace/scratch-workspace.js';
import { workspaceTools } from '../../workspace/tools/workspace-tools.js';
import { AgentTurnError } from '../agent-turn.js';
import { runEphemeralTurn } from '../ephemeral-turn.js';
import type { CheckResult, PatchValidation } from '../patch-validators.js';
import { checkPatch, commandCheck, withChecks } from '../patch-validators.js';
import type { CoderArgs } from '../profile-args.js';
import { reviewPatch } from '../review.js';
import type { Review } from '../winner.js';
import { coderPrompt } from './coder-prompt.js';

/** One variant's outcome: its validation (every check), the patch blob, the review. */
export interface CoderCandidate {
  variant: number;
  passed: boolean;
  validation: PatchValidation;
  /** Blob hash of the patch (the variant's own change, secret files left out), absent for an empty patch. */
  patchHash?: string;
  /** The agent's final message. */
  summary?: string;
  review?: Review;
  /** Why the variant could not produce a patch at all. */
  error?: ErrorBody;
  usage: Usage;
}

/** What one variant needs. */
export interface CandidateSettings {
  variant: number;
  variants: number;
  args: CoderArgs;
  manifest: WorkspaceManifest;
  store: Store;
  /** The environment Baton runs in, which git starts from. */
  hostEnv: Environment;
  agent: Agent;
  reviewer: Agent | undefined;
  /** The task's sandbox policy: taken by the agent's commands, the checks and the reviewer. */
  policy: SandboxPolicy;
  commandTimeoutMs: number;
  turnOptions: TurnSettings;
  /** Connects the coder's and the reviewer's MCP servers around their turns. */
  withAgentTools: WithAgentTools;
}

const MAX_COMMAND_OUTPUT_BYTES = 64 * 1024;

/**
 * Runs one coding variant end to end on its own scratch checkout: the agent with workspace
 * tools, the patch, the mechanical checks, the sandboxed test and typecheck commands (only for
 * a patch that passed the diff checks), then the review of a passing patch.
 */
export async function runCandidate(
  settings: CandidateSettings,
  signal: AbortSignal,
): Promise<CoderCandidate> {
  const { args, variant } = settings;
  let usage = emptyUsage();
  const checkout = await openScratchWorkspace(settings.manifest, settings.store, {
    prefix: 'baton-coder-',
    signal,
    hostEnv: settings.hostEnv,
  });
  const sandbox = { policy: settings.policy, gitDir: checkout.gitDir };
  try {
    let summary: string;
    try {
      const turn = await runEphemeralTurn({
        agent: settings.agent,
        prompt: coderPrompt(args, { index: variant, count: settings.variants }),
        signal,
        extraTools: workspaceTools(checkout.checkout, { sandbox }),
        turnOptions: settings.turnOptions,
        withAgentTools: settings.withAgentTools,
      });
      summary = turn.text;
      usage = turn.usage;
    } catch (error) {
      // Only a turn that ran and failed is this variant's failure; servers that did not connect
      // (or any other set-up error) fail the task: every variant would meet them.
      if (signal.aborted || !(error instanceof AgentTurnError)) throw error;
      return {
        variant,
        passed: false,
        validation: checkPatch('', {}),
        error: toErrorBody(error),
        usage: error.usage,
      };
    }
    let captured: Awaited<ReturnType<typeof checkout.capturePatch>>;
    try {
      captured = await checkout.capturePatch(settings.store, {
        maxPatchBytes: settings.policy.limits.patchBytes,
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw error;
      return {
        variant,
        passed: false,
        validation: checkPatch('', {}),
        summary,
        error: toErrorBody(error),
        usage,
      };
    }
    const patch = captured.patch.toString('utf8');
    const config = args.config ?? {};
    let validation = checkPatch(patch, {
      ...(config.forbiddenPaths && { forbiddenPaths: config.forbiddenPaths }),
      ...(config.maxDiffLines !== undefined && { maxDiffLines: config.maxDiffLines }),
    });
    if (validation.passed) {
      const commandChecks: CheckResult[] = [];
      for (const [name, command] of [
        ['test', config.testCmd],
        ['typecheck', config.typecheckCmd],
      ] as const) {
        if (command === undefined) continue;
        const outcome = await sandboxExec({
          ...sandbox,
          cwd: checkout.checkout,
          command,
          timeoutMs: settings.commandTimeoutMs,
          maxOutputBytes: MAX_COMMAND_OUTPUT_BYTES,
          signal,
        });
        commandChecks.push(commandCheck(name, command, outcome));
      }
      validation = withChecks(validation, commandChecks);
    }
    const candidate: CoderCandidate = {
      variant,
      passed: validation.passed,
      validation,
      summary,
      usage,
      ...(captured.patchHash !== null && { patchHash: captured.patchHash }),
    };
    if (validation.passed && settings.reviewer) {
      const { review, usage: reviewUsage } = await reviewPatch({
        reviewer: settings.reviewer,
        goal: args.goal,
        patch,
        signal,
        turnOptions: settings.turnOptions,
        withAgentTools: settings.withAgentTools,
        // The reviewer may read the candidate's checkout and run commands in it, under the same policy.
        tools: workspaceTools(checkout.checkout, { sandbox }),
      });
      candidate.review = review;
      candidate.usage = addUsage(usage, reviewUsage);
    }
    return candidate;
  } finally {
    await checkout.remove();
  }
}
