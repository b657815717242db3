import { ModelCallError } from '../core/errors.js';

// What a model API answers with: JSON, or a stream of JSON events (SSE, NDJSON).
const MODEL_API_TYPES = /json|event-stream|ndjson/i;

/**
 * The `fetch` Baton hands to provider clients. A successful answer that is neither JSON nor a
 * JSON stream (a web page from a proxy, a wrong port or path) fails at once, naming the base URL,
 * instead of surfacing later as an obscure parse error.
 */
export function modelApiFetch(baseURL: string): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const type = response.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
    if (response.ok && type !== '' && !MODEL_API_TYPES.test(type)) {
      // Best effort: the error thrown next says what went wrong; a cancel that fails changes nothing.
      await response.body?.cancel().catch(() => undefined);
      throw new ModelCallError(
        'model_not_an_api',
        `HTTP ${response.status} with ${type} instead of JSON: not a model API at ${baseURL}?`,
        { retryable: false },
      );
    }
    return response;
  };
}
