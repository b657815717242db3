import type { ErrorCodeEntry } from './error-code-entry.js';

/** Models. */
export const MODEL_ERROR_CODES = {
  missing_api_key: {
    domain: 'model',
    status: 400,
    description: "the model's API key is not set (the message names the variable)",
  },
  invalid_model: { domain: 'model', status: 400, description: 'a model name that is not provider:model-id' },
  unknown_provider: {
    domain: 'model',
    status: 400,
    description: 'a model of a provider other than openai, anthropic or openai-compatible',
  },
  model_network_error: {
    domain: 'model',
    status: 500,
    description: 'the model could not be reached, or its stream ended early, after every retry',
  },
  model_timeout: { domain: 'model', status: 500, description: 'a model call timed out after every retry' },
  rate_limited: {
    domain: 'model',
    status: 500,
    description: 'the provider kept answering 429 after every retry',
  },
  model_server_error: {
    domain: 'model',
    status: 500,
    description: 'the provider kept answering 5xx after every retry',
  },
  model_request_rejected: {
    domain: 'model',
    status: 500,
    description: 'the provider refused the request (4xx): a wrong key, model id or parameter',
  },
  model_error: {
    domain: 'model',
    status: 500,
    description: 'the model call failed in a way not otherwise classified',
  },
  model_not_an_api: {
    domain: 'model',
    status: 500,
    description: 'the base URL answered with something other than a model API (an HTML page?)',
  },
  script_exhausted: {
    domain: 'model',
    status: 500,
    description: 'a scripted model was asked for more steps than it has',
  },
  invalid_script: { domain: 'model', status: 500, description: 'a scripted model step is malformed' },
} as const satisfies Record<string, ErrorCodeEntry>;
