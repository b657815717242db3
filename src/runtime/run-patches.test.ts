import { describe, expect, it } from 'vitest';
import { lifecyclePatches } from './run-patches.js';

const NOW = '2026-01-01T00:00:00.000Z';
const usage = { inputTokens: 3, outputTokens: 4 };

describe('lifecyclePatches', () => {
  it('marks the run and session running on run.started', () => {
    expect(
      lifecyclePatches({ type: 'run.started', data: { agent: 'a', attempt: 2, definitionHash: 'h' } }, NOW),
    ).toEqual({
      runPatch: { status: 'running', attempt: 2, startedAttempt: 2, definitionHash: 'h' },
      sessionPatch: { status: 'running' },
    });
  });

  it('records the result, usage and end time and drops the lease on run.completed', () => {
    const patches = lifecyclePatches(
      { type: 'run.completed', data: { status: 'succeeded', text: 'hi', usage } },
      NOW,
    );
    expect(patches.runPatch).toEqual({
      status: 'succeeded',
      usage,
      result: { text: 'hi' },
      error: null,
      finishedAt: NOW,
      lease: null,
    });
    expect(patches.sessionPatch).toEqual({ status: 'idle' });
  });

  it('fails the session with the run and leaves it idle after a cancel', () => {
    const error = { code: 'model_error' as const, message: 'y' };
    expect(lifecyclePatches({ type: 'run.failed', data: { error } }, NOW).sessionPatch).toEqual({
      status: 'failed',
    });
    expect(lifecyclePatches({ type: 'run.cancelled', data: {} }, NOW)).toMatchObject({
      runPatch: { status: 'cancelled', lease: null },
      sessionPatch: { status: 'idle' },
    });
  });

  it('changes nothing for step events', () => {
    expect(lifecyclePatches({ type: 'step.started', data: { step: 1 } }, NOW)).toEqual({});
  });
});
