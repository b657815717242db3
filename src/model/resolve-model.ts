import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import type { ModelSpec } from '../core/agent.js';
import type { Environment } from '../core/environment.js';
import { UserError } from '../core/errors.js';
import { modelApiFetch } from './model-api-fetch.js';

// The providers' own defaults, named here so errors can say where a request went.
const OPENAI_BASE_URL = 'https://api.openai.com/v1';
const ANTHROPIC_BASE_URL = 'https://api.anthropic.com/v1';

/** The variables a model named by string looks up in its `env` (listed in docs/configuration.md). */
export const MODEL_VARIABLES = {
  OPENAI_API_KEY: 'the API key of openai:<id> models (required)',
  OPENAI_BASE_URL: `where openai:<id> models are served (default ${OPENAI_BASE_URL})`,
  ANTHROPIC_API_KEY: 'the API key of anthropic:<id> models (required)',
  ANTHROPIC_BASE_URL: `where anthropic:<id> models are served (default ${ANTHROPIC_BASE_URL})`,
  OPENAI_COMPATIBLE_API_KEY:
    'the API key of openai-compatible:<model>@<baseURL> models, when the server wants one',
} as const;

type ModelVariable = keyof typeof MODEL_VARIABLES;

function variable(env: Environment, name: ModelVariable): string | undefined {
  return env[name];
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function requireKey(name: ModelVariable, spec: string, env: Environment): string {
  const key = variable(env, name);
  if (key === undefined || key === '') {
    throw new UserError(
      'missing_api_key',
      `model ${spec} needs an API key: set the ${name} environment variable`,
    );
  }
  return key;
}

function resolveCompatible(rest: string, spec: string, env: Environment): LanguageModelV3 {
  const at = rest.indexOf('@');
  const modelName = at < 0 ? '' : rest.slice(0, at);
  const baseURL = at < 0 ? '' : rest.slice(at + 1);
  if (modelName === '' || !URL.canParse(baseURL)) {
    throw new UserError('invalid_model', `model ${spec} must look like openai-compatible:<model>@<baseURL>`);
  }
  const apiKey = variable(env, 'OPENAI_COMPATIBLE_API_KEY');
  const provider = createOpenAICompatible({
    name: 'openai-compatible',
    baseURL,
    ...(apiKey === undefined || apiKey === '' ? {} : { apiKey }),
    fetch: modelApiFetch(baseURL),
    // Usage in streamed responses is what the loop's token limits and costs are computed from.
    includeUsage: true,
  });
  return provider(modelName);
}

/**
 * Turns a model spec into an AI SDK language model: `openai:<id>` (Responses API, at
 * `OPENAI_BASE_URL` when set), `anthropic:<id>` (Messages API, at `ANTHROPIC_BASE_URL` when set)
 * or `openai-compatible:<model>@<baseURL>` (chat completions, key from
 * `OPENAI_COMPATIBLE_API_KEY`); a model object passes through. Keys and base URLs are looked up
 * in `env`, the environment the caller passes down (the runtime's `env`). A missing API key or an
 * unknown provider is a `UserError` naming what to fix.
 */
export function resolveModel(spec: ModelSpec, env: Environment): LanguageModelV3 {
  if (typeof spec !== 'string') return spec;
  const colon = spec.indexOf(':');
  const provider = colon < 0 ? '' : spec.slice(0, colon);
  const rest = colon < 0 ? '' : spec.slice(colon + 1);
  if (rest === '' && provider !== '') {
    throw new UserError('invalid_model', `model ${spec} names no model id after "${provider}:"`);
  }
  switch (provider) {
    case 'openai': {
      // `openai:` speaks the Responses API, at OPENAI_BASE_URL when set (chat-completions servers
      // are `openai-compatible:`).
      const baseURL = nonEmpty(variable(env, 'OPENAI_BASE_URL')) ?? OPENAI_BASE_URL;
      const apiKey = requireKey('OPENAI_API_KEY', spec, env);
      return createOpenAI({ apiKey, baseURL, fetch: modelApiFetch(baseURL) })(rest);
    }
    case 'anthropic': {
      const baseURL = nonEmpty(variable(env, 'ANTHROPIC_BASE_URL')) ?? ANTHROPIC_BASE_URL;
      const apiKey = requireKey('ANTHROPIC_API_KEY', spec, env);
      return createAnthropic({ apiKey, baseURL, fetch: modelApiFetch(baseURL) })(rest);
    }
    case 'openai-compatible':
      return resolveCompatible(rest, spec, env);
    default:
      throw new UserError(
        'unknown_provider',
        `model ${JSON.stringify(spec)}: unknown provider; use openai:<id>, anthropic:<id> or openai-compatible:<model>@<baseURL>`,
      );
  }
}
