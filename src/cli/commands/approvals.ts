import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { createRuntime } from '../../baton-runtime.js';
import type { BatonConfig } from '../../config/load-config.js';
import type { Environment } from '../../core/environment.js';
import { ValidationError } from '../../core/errors.js';
import type { CallerIdentity } from '../../core/tool.js';
import type { PendingApproval } from '../../runtime/pending-gates.js';
import type { Runtime } from '../../runtime/types.js';
import { addConfigOptions, configured } from '../config-options.js';
import { formatTable } from '../format.js';
import { withStore } from '../open-cli-store.js';
import { writeJsonLine } from '../options.js';
import { parseAnswer } from '../parse-answer.js';
import { runtimeOptions } from '../runtime-options.js';

/** Who decides from the CLI: the operating-system user, recorded as `cli:<user>`. */
function cliCaller(): CallerIdentity {
  return { kind: 'cli', subject: userInfo().username };
}

async function withRuntime<T>(config: BatonConfig, work: (runtime: Runtime) => Promise<T>): Promise<T> {
  return withStore(config, (store) => work(createRuntime({ store, ...runtimeOptions(config) })));
}

/** Prints a decision or an answer: JSON with `--json`, else one line. */
function report(config: BatonConfig, result: Record<string, unknown>, line: string): void {
  if (config.json) writeJsonLine(result);
  else process.stdout.write(`${line}\n`);
}

/**
 * `baton approvals list`, `baton approve <id>`, `baton deny <id> --reason`, `baton answer <id> <json>`:
 * the people-in-the-loop commands (docs/hitl.md), on the store directly like `baton runs`.
 */
export function registerApprovals(program: Command, env: Environment): void {
  const approvals = program.command('approvals').description('approvals waiting for a person');
  addConfigOptions(
    approvals.command('list').description('list open approvals, newest first'),
    'approvals list',
  ).action(
    configured(env, async (config) => {
      await withRuntime(config, async (runtime) => {
        const { items } = await runtime.listApprovals({ limit: config.limit });
        if (config.json) return writeJsonLine(items);
        if (items.length === 0) return void process.stderr.write('no open approvals\n');
        process.stdout.write(`${formatTable(APPROVAL_COLUMNS, items.map(approvalRow))}\n`);
      });
    }),
  );
  addConfigOptions(
    program.command('approve').description('approve a tool call').argument('<approvalId>'),
    'approve',
  ).action(
    configured(env, async (config, approvalId: string) => {
      await withRuntime(config, async (runtime) => {
        const result = await runtime.decide(approvalId, {
          decision: 'approve',
          caller: cliCaller(),
          ...(config.reason !== undefined && { reason: config.reason }),
        });
        report(config, { ...result }, `approved ${approvalId}`);
      });
    }),
  );
  addConfigOptions(
    program
      .command('deny')
      .description('deny a tool call; the model sees the reason')
      .argument('<approvalId>'),
    'deny',
  ).action(
    configured(env, async (config, approvalId: string) => {
      if (config.reason === undefined)
        throw new ValidationError('baton deny needs --reason <text>: the model is told why', 'reason');
      const reason = config.reason;
      await withRuntime(config, async (runtime) => {
        const result = await runtime.decide(approvalId, { decision: 'deny', reason, caller: cliCaller() });
        report(config, { ...result }, `denied ${approvalId}`);
      });
    }),
  );
  addConfigOptions(
    program
      .command('answer')
      .description('answer a question an agent asked')
      .argument('<requestId>')
      .argument('<json>', 'the answer as JSON (a plain word is taken as a string)'),
    'answer',
  ).action(
    configured(env, async (config, requestId: string, json: string) => {
      await withRuntime(config, async (runtime) => {
        const result = await runtime.answer(requestId, parseAnswer(json), { caller: cliCaller() });
        report(config, { ...result }, `answered ${requestId}`);
      });
    }),
  );
}

const APPROVAL_COLUMNS = ['APPROVAL', 'TOOL', 'INPUT', 'AGENT', 'REQUESTED', 'SESSION'];

function approvalRow(approval: PendingApproval): string[] {
  return [
    approval.approvalId,
    approval.name,
    JSON.stringify(approval.input).slice(0, 60),
    approval.agent,
    approval.requestedAt,
    approval.sessionId,
  ];
}
