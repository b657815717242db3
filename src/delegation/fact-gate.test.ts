import { describe, expect, it } from 'vitest';
import { citationKind, gateFacts } from './fact-gate.js';

const source = 'The bridge opened in 1937 and spans 1,280 metres across the strait.';
const good = {
  claim: 'The bridge opened in 1937',
  value: 1937,
  verbatimPassage: 'The bridge opened in 1937',
  sourceText: source,
};

describe('gateFacts', () => {
  it('accepts a fact whose passage and value occur literally in the source', async () => {
    const result = await gateFacts([good]);
    expect(result.accepted).toEqual([good]);
    expect(result.rejected).toEqual([]);
  });

  it('rejects a passage shorter than twelve characters and names the judge', async () => {
    const item = { ...good, verbatimPassage: 'in 1937', value: undefined };
    const result = await gateFacts([item]);
    expect(result.rejected).toEqual([
      { item, vetoedBy: 'verbatim-passage', reason: expect.stringContaining('12') },
    ]);
  });

  it('honours a custom minimum passage length', async () => {
    const item = { ...good, verbatimPassage: 'in 1937' };
    expect((await gateFacts([item], { minPassageLength: 5 })).accepted).toHaveLength(1);
  });

  it('rejects a passage that is not literally in the source text', async () => {
    const item = { ...good, verbatimPassage: 'The bridge was opened in 1937' };
    expect((await gateFacts([item])).rejected[0]?.vetoedBy).toBe('passage-in-source');
  });

  it('rejects a value that does not occur in the passage', async () => {
    const item = { ...good, value: 1938 };
    expect((await gateFacts([item])).rejected[0]?.vetoedBy).toBe('value-in-passage');
  });

  it('rejects a citation of a self-generated artifact as circular', async () => {
    const asString = { ...good, citation: 'task:task_123' };
    const asObject = { ...good, citation: { kind: 'agent-output', ref: 'x' } };
    const result = await gateFacts([asString, asObject]);
    expect(result.rejected.map((rejected) => rejected.vetoedBy)).toEqual([
      'no-circular-citation',
      'no-circular-citation',
    ]);
  });

  it('accepts an ordinary URL citation', async () => {
    expect((await gateFacts([{ ...good, citation: 'https://example.org/bridge' }])).accepted).toHaveLength(1);
  });

  it('rejects malformed items without throwing', async () => {
    const result = await gateFacts([null, 'text', { claim: 'x' }, { ...good, value: { nested: true } }]);
    expect(result.accepted).toEqual([]);
    expect(result.rejected.map((rejected) => rejected.vetoedBy)).toEqual([
      'shape',
      'shape',
      'shape',
      'shape',
    ]);
  });

  it('runs custom judges after the built-in ones and stops at the first veto', async () => {
    const calls: string[] = [];
    const result = await gateFacts([good, { ...good, verbatimPassage: 'short' }], {
      judges: [
        {
          name: 'no-years',
          judge: (fact) => {
            calls.push(fact.claim);
            return /19\d\d/.test(fact.claim) ? 'years are embargoed' : undefined;
          },
        },
        { name: 'never-reached', judge: () => 'unreachable' },
      ],
    });
    expect(result.rejected).toEqual([
      { item: good, vetoedBy: 'no-years', reason: 'years are embargoed' },
      {
        item: { ...good, verbatimPassage: 'short' },
        vetoedBy: 'verbatim-passage',
        reason: expect.any(String),
      },
    ]);
    expect(calls).toEqual([good.claim]);
  });

  it('fails closed when a custom judge throws', async () => {
    const result = await gateFacts([good], {
      judges: [
        {
          name: 'flaky',
          judge: () => {
            throw new Error('lookup failed');
          },
        },
      ],
    });
    expect(result.rejected).toEqual([
      { item: good, vetoedBy: 'flaky', reason: 'the judge failed: lookup failed' },
    ]);
  });
});

describe('citationKind', () => {
  it('reads the prefix of a kind:ref string and the kind of an object', () => {
    expect(citationKind('Run:run_1')).toBe('run');
    expect(citationKind({ kind: 'Task' })).toBe('task');
    expect(citationKind('plain reference')).toBeUndefined();
  });
});
