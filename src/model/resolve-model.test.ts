import { describe, expect, it } from 'vitest';
import { UserError } from '../core/errors.js';
import { resolveModel } from './resolve-model.js';
import { scriptedModel } from './scripted-model.js';

describe('resolveModel', () => {
  it('resolves openai: and anthropic: specs when their keys are set', () => {
    expect(resolveModel('openai:gpt-4.1-mini', { OPENAI_API_KEY: 'sk-test' })).toMatchObject({
      modelId: 'gpt-4.1-mini',
    });
    expect(resolveModel('anthropic:claude-sonnet-4-5', { ANTHROPIC_API_KEY: 'sk-test' })).toMatchObject({
      modelId: 'claude-sonnet-4-5',
    });
  });

  it('names the missing environment variable', () => {
    expect(() => resolveModel('openai:gpt-4.1-mini', {})).toThrow(UserError);
    expect(() => resolveModel('openai:gpt-4.1-mini', {})).toThrow(/OPENAI_API_KEY/);
    expect(() => resolveModel('anthropic:claude-sonnet-4-5', {})).toThrow(/ANTHROPIC_API_KEY/);
  });

  it('resolves openai-compatible:<model>@<baseURL> without a key', () => {
    const model = resolveModel('openai-compatible:llama3@http://127.0.0.1:11434/v1', {});
    expect(model.modelId).toBe('llama3');
  });

  it('rejects an openai-compatible spec without a base URL', () => {
    expect(() => resolveModel('openai-compatible:llama3', {})).toThrow(/openai-compatible:<model>@<baseURL>/);
  });

  it('rejects an unknown provider prefix with a UserError', () => {
    expect(() => resolveModel('mystery:model', {})).toThrow(UserError);
    expect(() => resolveModel('gpt-4', {})).toThrow(/unknown provider/);
  });

  it('passes a model object through', () => {
    const model = scriptedModel([]);
    expect(resolveModel(model, {})).toBe(model);
  });
});
