import { describe, expect, it } from 'vitest';
import type { BatonEvent, EventDraft } from '../core/events.js';
import { isPendingApproval } from '../core/gates.js';
import { MemoryJournal } from './memory-journal.js';
import type { SessionCheckpoint, SessionLog } from './session-checkpoint.js';
import { SessionFold } from './session-checkpoint.js';
import type { SessionState } from './session-state.js';
import { rebuildSession } from './session-state.js';

const usage = { inputTokens: 3, outputTokens: 2 };

function answer(text: string): EventDraft {
  return {
    type: 'message.completed',
    data: { role: 'assistant', text, toolCalls: [], finishReason: 'stop', usage },
  };
}

function calls(...ids: string[]): EventDraft {
  return {
    type: 'message.completed',
    data: {
      role: 'assistant',
      text: '',
      toolCalls: ids.map((toolCallId) => ({ toolCallId, name: 'work', input: { id: toolCallId } })),
      finishReason: 'tool_calls',
      usage,
    },
  };
}

function result(toolCallId: string): EventDraft {
  return {
    type: 'tool.result',
    data: { toolCallId, name: 'work', ok: true, output: { toolCallId }, durationMs: 1 },
  };
}

function user(text: string, priority?: 'background'): EventDraft {
  return { type: 'message.received', data: { role: 'user', text, ...(priority && { priority }) } };
}

function started(agent = 'root'): EventDraft {
  return { type: 'run.started', data: { agent, attempt: 1, definitionHash: 'h' } };
}

/**
 * A session with what a rebuild must get right: context writes (and a `__proto__` key), a
 * handoff, two skill activations, a decided and an open approval, a question, background messages held past an
 * answer, a user message delivered while results were pending, a run that ended mid-step
 * (its call interrupted), a failed run that may be retried, and a message no model saw.
 */
function richSession(): BatonEvent[] {
  const journal = new MemoryJournal({ sessionId: 'ses_rich', runId: 'run_a' });
  const on = (runId: string, ...drafts: EventDraft[]) => {
    for (const draft of drafts) journal.record(draft, runId);
  };
  on(
    'run_a',
    { type: 'session.started', data: { agent: 'root', context: { plan: 'draft' } } },
    user('hello'),
  );
  on('run_a', started(), { type: 'step.started', data: { step: 1 } }, calls('c1', 'c2'), result('c1'));
  on('run_a', user('while pending'), result('c2'));
  on('run_a', { type: 'context.updated', data: { key: 'plan', value: 'final' } });
  on('run_a', { type: 'context.updated', data: { key: '__proto__', value: { polluted: true } } });
  on('run_a', { type: 'step.completed', data: { step: 1 } }, { type: 'step.started', data: { step: 2 } });
  on('run_a', calls('t1'), result('t1'), { type: 'skill.activated', data: { name: 'alpha', hash: 'h1' } });
  on('run_a', { type: 'handoff.occurred', data: { from: 'root', to: 'helper' } });
  on('run_a', { type: 'step.completed', data: { step: 2 } }, answer('done a'));
  on('run_a', user('later, quietly', 'background'));
  on('run_a', { type: 'run.completed', data: { status: 'succeeded', text: 'done a', usage } });
  on('run_b', user('second'), started(), { type: 'step.started', data: { step: 1 } }, calls('c3'));
  const approval = (approvalId: string, toolCallId: string): EventDraft => ({
    type: 'approval.requested',
    data: {
      approvalId,
      toolCallId,
      name: 'work',
      input: {},
      inputHash: 'x',
      agent: 'root',
      requestedAt: '2026-01-01T00:00:00.000Z',
      runPath: ['run_b'],
    },
  });
  on('run_b', approval('apr_1', 'c3'), {
    type: 'approval.decided',
    data: { approvalId: 'apr_1', decision: 'approve', by: 'ann' },
  });
  on('run_b', approval('apr_2', 'c9'));
  on('run_b', {
    type: 'input.requested',
    data: { requestId: 'inp_1', toolCallId: 'c8', question: 'why?', agent: 'root', runPath: ['run_b'] },
  });
  on('run_b', { type: 'run.cancelled', data: {} });
  on('run_c', user('third'), started(), { type: 'step.started', data: { step: 1 } });
  on('run_c', { type: 'run.failed', data: { error: { code: 'model_error', message: 'boom' } } });
  on('run_d', user('fourth'), started(), { type: 'step.started', data: { step: 1 } }, answer('done d'));
  on('run_d', { type: 'skill.activated', data: { name: 'beta', hash: 'h2' } });
  on('run_d', { type: 'step.completed', data: { step: 1 } });
  on('run_d', { type: 'run.completed', data: { status: 'succeeded', text: 'done d', usage } });
  // A message committed while the model answered, before the answer that never saw it.
  const fifth = journal.record(user('fifth'), 'run_f');
  on('run_f', started(), { type: 'step.started', data: { step: 1 } }, user('came during the call'));
  const unseenBy = answer('done f');
  on('run_f', {
    ...unseenBy,
    data: { ...(unseenBy.data as object), messagesThrough: fifth.seq },
  } as EventDraft);
  on('run_f', { type: 'step.completed', data: { step: 1 } });
  on('run_f', { type: 'run.completed', data: { status: 'succeeded', text: 'done f', usage } });
  on('run_e', user('unseen'));
  return [...journal.events];
}

/** What the turn starts from, in a form `toEqual` compares. */
function comparable(state: SessionState) {
  state.transcript.setInstructions('system');
  return {
    prompt: state.transcript.modelPrompt,
    pendingCalls: state.transcript.pendingCalls,
    releasedBackground: state.transcript.releaseBackground(),
    promptAfterRelease: state.transcript.modelPrompt,
    plan: state.plan,
    activatedSkills: ['alpha', 'beta', 'gamma'].filter((name) => state.activations.has(name)),
    context: state.context.withWrites(new Map()),
    // Settled gates belong to calls that are over: a checkpoint keeps the open ones.
    openApprovals: [...state.gates.approvals].filter(([, approval]) => isPendingApproval(approval)),
    openQuestions: [...state.gates.questions].filter(([, question]) => question.answer === undefined),
  };
}

/** The checkpoint of `events` up to `seq`, through its JSON, as a store would give it back. */
function checkpointAt(events: readonly BatonEvent[], seq: number): SessionCheckpoint {
  const fold = SessionFold.from(undefined, events.slice(0, seq + 1));
  return JSON.parse(fold.serialise()) as SessionCheckpoint;
}

describe('rebuilding a session from a checkpoint', () => {
  it('gives a new run the same state as the whole log, wherever the checkpoint was taken', () => {
    const events = richSession();
    let compared = 0;
    for (const runId of ['run_e', 'run_new']) {
      const full = comparable(rebuildSession({ events }, runId, { initialContext: { initial: true } }));
      for (let seq = 0; seq < events.length; seq += 1) {
        const checkpoint = checkpointAt(events, seq);
        if (checkpoint.unfinishedRuns.includes(runId)) continue;
        const log: SessionLog = { checkpoint, events: events.slice(seq + 1) };
        expect(
          comparable(rebuildSession(log, runId, { initialContext: { initial: true } })),
          `checkpoint at ${seq}`,
        ).toEqual(full);
        compared += 1;
      }
    }
    // Most cuts are usable; the checks above ran on them, not on none.
    expect(compared).toBeGreaterThan(events.length);
  });

  it('lists the runs that may still run, so they replay their own events from the log', () => {
    const events = richSession();
    const checkpoint = checkpointAt(events, events.length - 1);
    expect(checkpoint.unfinishedRuns.sort()).toEqual(['run_c', 'run_e']);
    expect(checkpoint.gates.approvals.map((state) => state.request.approvalId)).toEqual(['apr_2']);
    expect(checkpoint.gates.questions.map((state) => state.request.requestId)).toEqual(['inp_1']);
    expect(checkpoint.unanswered).toEqual(['came during the call', 'unseen']);
  });

  /**
   * A run's log that ended at its one step's answer to 'early', with 'late' committed during the
   * model call (`lateAt` 'call', before the answer) or after the answer's commit ('after').
   */
  function answeredWithLate(lateAt: 'call' | 'after') {
    const journal = new MemoryJournal({ sessionId: 'ses_x', runId: 'run_x' });
    const early = journal.record(user('early'));
    journal.record(started());
    journal.record({ type: 'step.started', data: { step: 1 } });
    const late = lateAt === 'call' ? journal.record(user('late')) : undefined;
    const reply = answer('echo: early');
    journal.record({
      ...reply,
      data: { ...(reply.data as object), messagesThrough: early.seq },
    } as EventDraft);
    journal.record({ type: 'step.completed', data: { step: 1 } });
    const lateSeq = (late ?? journal.record(user('late'))).seq;
    return { plan: rebuildSession({ events: journal.events }, 'run_x').plan, lateSeq };
  }

  it('does not resume a run with an answer that a message overtook as its last word', () => {
    // The attempt committed the answer and stopped before it stepped again for the message.
    const { plan, lateSeq } = answeredWithLate('call');
    expect(plan.answer).toBeUndefined();
    expect(plan.unanswered).toEqual(['late']);
    // With no step left, the turn ends with that answer and leaves 'late' to the next run.
    expect(plan.overtaken).toEqual({ answer: 'echo: early', seq: lateSeq });
  });

  it('resumes with an answer as its last word for a limit, when a message came after it', () => {
    // The answer committed; the message came before the turn looked again, then the process died.
    const { plan, lateSeq } = answeredWithLate('after');
    expect(plan.answer).toBeUndefined();
    expect(plan.overtaken).toEqual({ answer: 'echo: early', seq: lateSeq });
  });

  it('shows a message that came while the model answered after that answer, unanswered', () => {
    const state = rebuildSession({ events: richSession() }, 'run_new');
    const texts = state.transcript.prompt.flatMap((message) =>
      Array.isArray(message.content)
        ? message.content.flatMap((part) => ('text' in part ? [part.text] : []))
        : [],
    );
    expect(texts.slice(-4)).toEqual(['fifth', 'done f', 'came during the call', 'unseen']);
    expect(state.plan.unanswered).toEqual(['came during the call', 'unseen']);
  });

  it('folds a checkpoint onward to the same checkpoint as folding the whole log', () => {
    const events = richSession();
    const whole = SessionFold.from(undefined, events).serialise();
    for (const seq of [0, 10, 20, events.length - 2]) {
      const onward = SessionFold.from(checkpointAt(events, seq), events.slice(seq + 1)).serialise();
      expect(JSON.parse(onward), `from ${seq}`).toEqual(JSON.parse(whole));
    }
  });
});
