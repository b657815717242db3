import { describe, expect, it } from 'vitest';
import { taskIdempotencyKey } from './task-key.js';

describe('taskIdempotencyKey', () => {
  it('is the same for the same work whatever the key order', () => {
    expect(taskIdempotencyKey('coder', { goal: 'g', repoRoot: '/r' }, 'ns')).toBe(
      taskIdempotencyKey('coder', { repoRoot: '/r', goal: 'g' }, 'ns'),
    );
  });

  it('differs by profile, args and namespace', () => {
    const base = taskIdempotencyKey('coder', { goal: 'g' }, 'ns');
    expect(taskIdempotencyKey('researcher', { goal: 'g' }, 'ns')).not.toBe(base);
    expect(taskIdempotencyKey('coder', { goal: 'h' }, 'ns')).not.toBe(base);
    expect(taskIdempotencyKey('coder', { goal: 'g' }, 'other')).not.toBe(base);
  });
});
