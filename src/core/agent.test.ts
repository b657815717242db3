import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { scriptedModel } from '../model/scripted-model.js';
import type { AgentOptions } from './agent.js';
import { agentDefinitionHash, defineAgent } from './agent.js';
import { UserError } from './errors.js';
import { tool, toolInputJsonSchema, validateToolInput } from './tool.js';

const echo = tool({
  name: 'echo',
  description: 'Echoes its input',
  inputSchema: z.object({ text: z.string() }),
  execute: ({ text }) => text,
});

const base: AgentOptions = { name: 'echoer', instructions: 'Echo.', model: scriptedModel([]), tools: [echo] };

/** Options as a plain JavaScript agent file could write them, past the type checker. */
function untyped(options: Record<string, unknown>): AgentOptions {
  return { ...base, ...options } as unknown as AgentOptions;
}

describe('defineAgent', () => {
  it('refuses compaction without a threshold and counts that are not positive whole numbers', () => {
    const refused = (options: Partial<AgentOptions>) => () => defineAgent({ ...base, ...options });
    expect(refused({ compaction: {} as never })).toThrow(/compaction.thresholdTokens is required/);
    expect(refused({ compaction: { thresholdTokens: 0 } })).toThrow(/thresholdTokens must be a positive/);
    expect(refused({ compaction: { thresholdTokens: 10, keepRecentSteps: 1.5 } })).toThrow(/keepRecentSteps/);
    expect(refused({ maxToolResultChars: -1 })).toThrow(UserError);
    const agent = defineAgent({ ...base, compaction: { thresholdTokens: 1_000 }, maxToolResultChars: 500 });
    expect(agent.compaction).toEqual({ thresholdTokens: 1_000 });
    expect(agent.maxToolResultChars).toBe(500);
  });

  it('returns a frozen agent with defaults for the optional fields', () => {
    const agent = defineAgent({ name: 'plain', instructions: 'Hi.', model: 'openai:gpt-4.1-mini' });
    expect(agent).toMatchObject({
      name: 'plain',
      tools: [],
      handoffs: [],
      limits: {},
      mcpServers: [],
      retry: {},
      pricing: undefined,
    });
    expect(Object.isFrozen(agent)).toBe(true);
  });

  it.each([
    ['a name with spaces', { name: 'my agent' }, /name/],
    ['a missing model', { model: undefined }, /model is required/],
    ['two tools with one name', { tools: [echo, echo] }, /duplicate tool name echo/],
    ['a tool not made by tool()', { tools: [{ description: 'no name' }] }, /made by tool\(\)/],
    ['a handoff that is not an agent', { handoffs: ['helper'] }, /made by defineAgent\(\)/],
    ['a negative maxSteps', { limits: { maxSteps: -1 } }, /limits.maxSteps must be a positive integer/],
    ['a fractional maxSteps', { limits: { maxSteps: 2.5 } }, /limits.maxSteps/],
    [
      'a maxCostUsd given as text',
      { limits: { maxCostUsd: '0.05' } },
      /limits.maxCostUsd must be a positive number/,
    ],
    ['a zero timeoutMs', { limits: { timeoutMs: 0 } }, /limits.timeoutMs/],
    [
      'a zero first-byte timeout',
      { retry: { firstByteTimeoutMs: 0 } },
      /retry.firstByteTimeoutMs must be a positive/,
    ],
    [
      'a fractional maxAttempts',
      { retry: { maxAttempts: 1.5 } },
      /retry.maxAttempts must be a positive integer/,
    ],
    ['an unknown longRetry', { retry: { longRetry: 'later' } }, /retry.longRetry/],
    [
      'a negative price',
      { pricing: { inputPerMillionUsd: -1, outputPerMillionUsd: 1 } },
      /pricing.inputPerMillionUsd/,
    ],
    ['a price missing its output', { pricing: { inputPerMillionUsd: 1 } }, /pricing.outputPerMillionUsd/],
  ])('rejects %s with a UserError naming the problem', (_case, options, message) => {
    expect(() => defineAgent(untyped(options))).toThrow(UserError);
    expect(() => defineAgent(untyped(options))).toThrow(message);
  });

  it('hashes the definition so that changing instructions or a tool schema changes the hash', () => {
    const hash = agentDefinitionHash(defineAgent(base));
    expect(agentDefinitionHash(defineAgent(base))).toBe(hash);
    expect(agentDefinitionHash(defineAgent({ ...base, instructions: 'Echo loudly.' }))).not.toBe(hash);
    const wider = tool({ ...echo, inputSchema: z.object({ text: z.string(), times: z.number() }) });
    expect(agentDefinitionHash(defineAgent({ ...base, tools: [wider] }))).not.toBe(hash);
  });
});

describe('tool', () => {
  it('rejects a bad name, a schema that is not zod and a missing execute', () => {
    const options = { description: 'd', inputSchema: z.object({}), execute: () => null };
    expect(() => tool({ ...options, name: 'has space' })).toThrow(/must match/);
    expect(() => tool({ ...options, name: 'ok', inputSchema: {} as z.ZodType })).toThrow(/zod 4 schema/);
    const noExecute = { ...options, name: 'ok', execute: undefined } as unknown as Parameters<typeof tool>[0];
    expect(() => tool(noExecute)).toThrow(/execute must be a function/);
  });

  it('defaults idempotent to false', () => {
    expect(echo).toMatchObject({ idempotent: false });
  });

  it('keeps needsApproval and refuses a value that would leave the tool unguarded', () => {
    const options = { name: 'ok', description: 'd', inputSchema: z.object({}), execute: () => null };
    expect(tool({ ...options, needsApproval: 'human', approvalExpiresInMs: 1000 })).toMatchObject({
      needsApproval: 'human',
      approvalExpiresInMs: 1000,
    });
    expect(tool({ ...options, needsApproval: false })).not.toHaveProperty('needsApproval');
    expect(() => tool({ ...options, needsApproval: 'yes' } as unknown as Parameters<typeof tool>[0])).toThrow(
      /needsApproval must be/,
    );
    expect(() => tool({ ...options, needsApproval: true, approvalExpiresInMs: -1 })).toThrow(
      /approvalExpiresInMs/,
    );
  });

  it('accepts a schema from another copy of zod, recognised by its Standard Schema shape', async () => {
    // A schema object that is no instance of this zod's classes: only its `~standard` shape counts.
    const foreign = {
      '~standard': {
        version: 1 as const,
        vendor: 'other',
        validate: (value: unknown) =>
          typeof (value as { a?: unknown }).a === 'number'
            ? { value: value as { a: number } }
            : { issues: [{ message: 'expected a number', path: ['a'] }] },
        jsonSchema: { input: () => ({ type: 'object', properties: { a: { type: 'number' } } }) },
      },
    };
    const doubled = tool({
      name: 'double',
      description: 'd',
      inputSchema: foreign,
      execute: ({ a }) => a * 2,
    });
    expect(toolInputJsonSchema(doubled)).toEqual({ type: 'object', properties: { a: { type: 'number' } } });
    expect(await validateToolInput(doubled, { a: 2 })).toEqual({ ok: true, value: { a: 2 } });
    expect(await validateToolInput(doubled, { a: 'x' })).toEqual({
      ok: false,
      problems: ['a: expected a number'],
    });
  });

  it('rejects a Standard Schema that cannot give the model a JSON Schema', () => {
    const opaque = {
      '~standard': { version: 1 as const, vendor: 'opaque', validate: (value: unknown) => ({ value }) },
    };
    expect(() => tool({ name: 'ok', description: 'd', inputSchema: opaque, execute: () => null })).toThrow(
      /cannot be converted to JSON Schema/,
    );
  });
});
