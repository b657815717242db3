import { describe, expect, it } from 'vitest';
import { handoffAgent } from './agent-choice.js';

describe('handoffAgent', () => {
  it("takes a prototype key's name (constructor, toString) for a Baton agent's", () => {
    expect(handoffAgent('constructor').name).toBe('constructor');
    expect(handoffAgent('toString').execution('task')).toEqual({ kind: 'agent', name: 'toString' });
  });
});
