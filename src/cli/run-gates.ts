import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import type { PendingApproval, PendingInput } from '../runtime/pending-gates.js';
import type { Runtime } from '../runtime/types.js';
import { parseAnswer } from './parse-answer.js';

/** Reads one line from a person at the terminal; rejects when `signal` aborts (Ctrl-C). */
export type AskLine = (prompt: string, signal: AbortSignal) => Promise<string>;

/** Asks on stdin, prompting on stderr so that `--json` keeps stdout pure NDJSON. */
export const askAtTerminal: AskLine = async (prompt, signal) => {
  // `terminal: false` leaves Ctrl-C to the process's SIGINT handler, which aborts `signal`.
  const lines = createInterface({ input: process.stdin, output: process.stderr, terminal: false });
  try {
    return await lines.question(prompt, { signal });
  } finally {
    lines.close();
  }
};

const terminalCaller = () => ({ kind: 'cli' as const, subject: userInfo().username });

/**
 * Puts a waiting run's open approvals and questions to the person at the terminal (`baton run`
 * on a TTY): `approve <tool> <input>? [y/N]` (anything but y/yes denies), and a question's text
 * with a line read as its answer. Returns once every gate is settled, so the run can go on.
 */
export async function settleGatesInline(
  runtime: Runtime,
  sessionId: string,
  ask: AskLine,
  signal: AbortSignal,
): Promise<void> {
  const { pendingApprovals, pendingInputs } = await runtime.getSession(sessionId);
  for (const approval of pendingApprovals) {
    const reply = await ask(`approve ${approval.name} ${JSON.stringify(approval.input)}? [y/N] `, signal);
    const approved = /^y(es)?$/i.test(reply.trim());
    await runtime.decide(approval.approvalId, {
      decision: approved ? 'approve' : 'deny',
      inputHash: approval.inputHash,
      caller: terminalCaller(),
      ...(!approved && { reason: 'denied at the terminal' }),
    });
  }
  for (const input of pendingInputs) {
    const answer = await ask(questionPrompt(input), signal);
    await runtime.answer(input.requestId, parseAnswer(answer.trim()), { caller: terminalCaller() });
  }
}

function questionPrompt(input: PendingInput): string {
  const choices = input.choices ? ` (${input.choices.join(' / ')})` : '';
  return `${input.question}${choices}\n> `;
}

/** Whether the session tree has an approval or question open for a person. */
export async function hasOpenGates(runtime: Runtime, sessionId: string): Promise<boolean> {
  const { pendingApprovals, pendingInputs } = await runtime.getSession(sessionId);
  return pendingApprovals.length > 0 || pendingInputs.length > 0;
}

/** Tells a person without a terminal which ids to decide or answer (`baton run` exits 4). */
export async function describeOpenGates(runtime: Runtime, sessionId: string, runId: string): Promise<string> {
  const { pendingApprovals, pendingInputs } = await runtime.getSession(sessionId);
  const lines = [`baton: run ${runId} is waiting for a person`];
  for (const approval of pendingApprovals) lines.push(approvalLine(approval));
  for (const input of pendingInputs)
    lines.push(`  question ${input.requestId}: ${input.question} — baton answer ${input.requestId} <json>`);
  lines.push('then `baton worker --until-idle` (or a running `baton serve`) resumes it');
  return `${lines.join('\n')}\n`;
}

function approvalLine(approval: PendingApproval): string {
  const input = JSON.stringify(approval.input);
  return `  approval ${approval.approvalId}: ${approval.name} ${input} — baton approve ${approval.approvalId} | baton deny ${approval.approvalId} --reason <text>`;
}
