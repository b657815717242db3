// Uses a real model: `OPENAI_API_KEY=... npx baton run examples/assistant.ts "Weather in Rome?"`,
// or any provider through BATON_MODEL, e.g. BATON_MODEL=anthropic:claude-sonnet-4-5 or
// BATON_MODEL=openai-compatible:llama3.2@http://127.0.0.1:11434/v1 (Ollama).
import { defineAgent } from 'baton-runtime';
import { getWeather } from './weather-tool.js';

/** A weather assistant on the model named by `BATON_MODEL` (default `openai:gpt-4.1-mini`). */
export default defineAgent({
  name: 'assistant',
  description: 'A weather assistant on a real model (BATON_MODEL, default openai:gpt-4.1-mini).',
  instructions:
    'You are a concise assistant. Use get_weather for any weather question, then answer in one sentence.',
  model: process.env.BATON_MODEL ?? 'openai:gpt-4.1-mini',
  tools: [getWeather],
  limits: { maxSteps: 10, timeoutMs: 120_000 },
});
