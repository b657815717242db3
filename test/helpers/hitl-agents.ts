import { z } from 'zod';
import type { BatonClient } from '../../src/client/index.js';
import type { Agent } from '../../src/core/agent.js';
import { defineAgent } from '../../src/core/agent.js';
import { askQuestion } from '../../src/core/ask-question.js';
import type { NeedsApproval } from '../../src/core/tool.js';
import { tool } from '../../src/core/tool.js';
import { scriptedModel } from '../../src/model/scripted-model.js';
import type { SessionView } from '../../src/runtime/types.js';
import { waitFor } from '../../src/testing/wait-for.js';

/** An agent whose first step calls `send_email` (gated by `needsApproval`) and `lookup` (not gated), then answers. */
export function mailerAgent(
  options: {
    name?: string;
    needsApproval?: NeedsApproval<{ to: string }>;
    expiresInMs?: number;
    sent?: string[];
  } = {},
): Agent {
  const sent = options.sent ?? [];
  const sendEmail = tool({
    name: 'send_email',
    description: 'Sends an email',
    inputSchema: z.object({ to: z.string() }),
    execute: ({ to }) => {
      sent.push(to);
      return { sent: to };
    },
    needsApproval: options.needsApproval ?? true,
    ...(options.expiresInMs !== undefined && { approvalExpiresInMs: options.expiresInMs }),
  });
  const lookup = tool({
    name: 'lookup',
    description: 'Looks an address up',
    inputSchema: z.object({ name: z.string() }),
    execute: ({ name }) => ({ address: `${name}@example.com` }),
  });
  return defineAgent({
    name: options.name ?? 'mailer',
    instructions: 'Send the mail.',
    tools: [sendEmail, lookup],
    model: scriptedModel((request) =>
      request.prompt.some(
        (message) =>
          message.role === 'tool' &&
          message.content.some((part) => part.type === 'tool-result' && part.toolName === 'send_email'),
      )
        ? { text: 'finished' }
        : {
            toolCalls: [
              { name: 'send_email', input: { to: 'paris@example.com' } },
              { name: 'lookup', input: { name: 'ada' } },
            ],
          },
    ),
  });
}

/** Asks one question (with choices, or a schema), then answers with what it was told. */
export function askerAgent(question: { choices?: string[]; schema?: Record<string, unknown> }): Agent {
  return defineAgent({
    name: 'asker',
    instructions: 'Ask first.',
    tools: [askQuestion()],
    model: scriptedModel((request) => {
      if (request.lastRole !== 'tool') {
        return { toolCalls: [{ name: 'ask_question', input: { question: 'Which city?', ...question } }] };
      }
      const last = request.prompt.at(-1);
      const part = last?.role === 'tool' ? last.content[0] : undefined;
      const output =
        part?.type === 'tool-result' && 'value' in part.output ? JSON.stringify(part.output.value) : '';
      return { text: `answered ${output}` };
    }),
  });
}

/** Waits until the session is `waiting` with at least one open approval or question, and returns it. */
export function waitForGate(client: BatonClient, sessionId: string): Promise<SessionView> {
  return waitFor(
    async () => {
      const session = await client.getSession(sessionId);
      const open = session.pendingApprovals.length + session.pendingInputs.length;
      return session.status === 'waiting' && open > 0 && session;
    },
    { message: `session ${sessionId} to wait for a person` },
  );
}

/** Waits until the session's newest run has ended, and returns the session. */
export function waitForIdle(client: BatonClient, sessionId: string): Promise<SessionView> {
  return waitFor(
    async () => {
      const session = await client.getSession(sessionId);
      return (session.status === 'idle' || session.status === 'failed') && session;
    },
    { message: `session ${sessionId} to finish` },
  );
}
