// Runs with no API key: `npx baton run examples/coordinator.ts "I was charged twice"`, then
// `npx baton events <sessionId>` shows admission.checked, handoff.occurred and the specialist's work.
// `npx baton run examples/coordinator.ts "Should we launch in Norway?"` asks three specialists as
// tools instead: each runs as a child run in its own child session (subagent.started /
// subagent.completed in the coordinator's log; `baton events <childSessionId>` shows a child's).

import { defineAgent, guardrail, scriptedModel, tool, transfer } from 'baton-runtime';
import { z } from 'zod';

const refund = tool({
  name: 'refund',
  description: 'Refunds a duplicate charge.',
  inputSchema: z.object({ amountUsd: z.number().positive() }),
  execute: ({ amountUsd }) => ({ refunded: amountUsd }),
});

/** Billing specialist: refunds, then answers. Its 20 steps are clamped to the run's 8 at admission. */
const billing = defineAgent({
  name: 'billing',
  description: 'Charges, refunds and invoices.',
  instructions: 'You handle billing. Refund duplicate charges, then confirm.',
  tools: [refund],
  limits: { maxSteps: 20 },
  // The coordinator's transfer filters its own tool call out, so billing starts on the user's words.
  model: scriptedModel((request) =>
    request.lastRole === 'tool'
      ? { text: 'I refunded the duplicate charge of $12. It shows on your statement within 3 days.' }
      : { toolCalls: [{ name: 'refund', input: { amountUsd: 12 } }] },
  ),
});

/** Technical specialist: answers directly. */
const support = defineAgent({
  name: 'support',
  description: 'Technical problems with the product.',
  instructions: 'You solve technical problems.',
  model: scriptedModel(() => ({ text: 'Try signing out and in again; that resets the session.' })),
});

/** A specialist used as a tool: answers one question in its own child session. */
function advisor(name: string, view: string) {
  return defineAgent({
    name,
    description: `Gives the ${name} view on a question.`,
    instructions: `You give the ${name} view, in one sentence.`,
    limits: { maxSteps: 4 },
    model: scriptedModel(() => ({ text: `${name}: ${view}` })),
  });
}

const specialists = [
  advisor('market', 'demand is there, mostly in the two largest cities'),
  advisor('legal', 'no licence is needed; invoices must be in NOK'),
  advisor('finance', 'break-even after about 14 months'),
];

/** The text of every tool result in the prompt, in order (what the specialists answered). */
function answers(prompt: { role: string; content: unknown }[]): string[] {
  return prompt.flatMap((message) =>
    message.role === 'tool'
      ? (message.content as { output: { value: unknown } }[]).map((part) => String(part.output.value))
      : [],
  );
}

/**
 * Coordinator: routes billing and technical requests to a specialist by handoff; any other
 * question it puts to three specialists at once, as tools, and answers with what they said.
 */
export default defineAgent({
  name: 'coordinator',
  description: 'Routes requests to the billing or support specialist (scripted model, no API key needed).',
  instructions: 'Route the request to the right specialist.',
  limits: { maxSteps: 8, maxHandoffs: 2 },
  tools: specialists.map((specialist) => specialist.asTool()),
  handoffs: [
    // Billing needs the customer's words only, not the coordinator's routing chatter.
    transfer(billing, { inputFilter: (history) => history.filter((message) => message.role === 'user') }),
    support,
  ],
  guardrails: [
    guardrail({
      name: 'noCardNumbers',
      on: 'input',
      check: (text) => ({
        tripwire: /\b\d{13,19}\b/.test(text),
        reason: 'the message contains a card number',
      }),
    }),
    guardrail({
      name: 'refundCap',
      on: 'tool',
      check: (call) => ({
        tripwire: call.name === 'refund' && ((call.input as { amountUsd?: number }).amountUsd ?? 0) > 100,
        reason: 'refunds above $100 need a person',
        action: 'escalate',
      }),
    }),
  ],
  model: scriptedModel((request) => {
    if (request.lastRole === 'tool')
      return { text: `Here is what the specialists say. ${answers(request.prompt).join(' ')}` };
    const text = request.lastUserText ?? '';
    const target = /charge|refund|bill|invoice/i.test(text)
      ? 'billing'
      : /error|crash|sign|log ?in|bug/i.test(text)
        ? 'support'
        : undefined;
    if (target === undefined) {
      return {
        toolCalls: specialists.map((specialist) => ({ name: specialist.name, input: { input: text } })),
      };
    }
    return {
      toolCalls: [{ name: `transfer_to_${target}`, input: { reason: `the request is about ${target}` } }],
    };
  }),
});
