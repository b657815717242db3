import { describe, expect, it } from 'vitest';
import type { Agent } from '../src/core/agent.js';
import { runTurn } from '../src/loop/run-turn.js';
import { followUpJournal, startedJournal } from './loop-fixtures.js';

async function load(path: string): Promise<Agent> {
  return ((await import(path)) as { default: Agent }).default;
}

describe('examples', () => {
  it('hello calls get_weather three times, then answers', async () => {
    const journal = startedJournal();
    const outcome = await runTurn({ agent: await load('../examples/hello.js'), journal });
    expect(outcome).toMatchObject({ status: 'succeeded', steps: 4 });
    expect(journal.events.filter((event) => event.type === 'tool.result')).toHaveLength(3);
  });

  it('the coordinator hands a billing question to billing, and its input guardrail stops card numbers', async () => {
    const coordinator = await load('../examples/coordinator.js');
    const journal = startedJournal('I was charged twice');
    const outcome = await runTurn({ agent: coordinator, journal });
    expect(outcome).toMatchObject({ status: 'succeeded', text: expect.stringContaining('refunded') });
    const handoffs = journal.events.filter((event) => event.type === 'handoff.occurred');
    expect(handoffs.map((event) => event.data)).toEqual([
      { from: 'coordinator', to: 'billing', reason: 'the request is about billing' },
    ]);
    const blocked = await runTurn({
      agent: coordinator,
      journal: startedJournal('card 4111111111111111 charged twice'),
    });
    expect(blocked).toMatchObject({ status: 'failed', error: { code: 'guardrail_tripped' } });
  });

  it('assistant uses BATON_MODEL or openai:gpt-4.1-mini', async () => {
    const agent = await load('../examples/assistant.js');
    expect(agent.model).toBe(process.env.BATON_MODEL ?? 'openai:gpt-4.1-mini');
  });

  it('the served agents answer follow-up after follow-up', async () => {
    const weather = await load('../examples/agents/weather.js');
    const echo = await load('../examples/agents/echo.js');
    let journal = startedJournal('Weather in Paris?');
    expect(await runTurn({ agent: weather, journal })).toMatchObject({
      status: 'succeeded',
      text: expect.stringContaining('Paris'),
    });
    for (const city of ['Oslo', 'Rome', 'Lima']) {
      journal = followUpJournal(journal.events, `And in ${city}?`);
      const outcome = await runTurn({ agent: weather, journal });
      expect(outcome).toMatchObject({ status: 'succeeded', steps: 2, text: expect.stringContaining(city) });
    }
    journal = followUpJournal(journal.events, 'hello');
    expect(await runTurn({ agent: echo, journal })).toMatchObject({
      status: 'succeeded',
      text: 'You said: hello',
    });
  });
});
