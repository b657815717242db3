// Runs with no API key: `npx baton run examples/hello.ts "What's the weather?"`.
import { defineAgent, scriptedModel } from 'baton-runtime';
import { getWeather } from './weather-tool.js';

/** A scripted agent that looks up the weather in three cities, then answers. */
export default defineAgent({
  name: 'hello',
  description: 'Looks up the weather in three cities (scripted model, no API key needed).',
  instructions: 'You are a friendly weather assistant. Use get_weather, then summarise.',
  tools: [getWeather],
  model: scriptedModel([
    { text: 'Let me check Paris first.', toolCalls: [{ name: 'get_weather', input: { city: 'Paris' } }] },
    { toolCalls: [{ name: 'get_weather', input: { city: 'Oslo' } }] },
    { toolCalls: [{ name: 'get_weather', input: { city: 'Lisbon' } }] },
    { text: 'I checked Paris, Oslo and Lisbon: see the forecasts above. Have a nice day!' },
  ]),
});
