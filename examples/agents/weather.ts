import { defineAgent, scriptedModel } from 'baton-runtime';
import { getWeather } from '../weather-tool.js';

/** The city named in a message: the word after "in", else the last word. */
function cityOf(text: string): string {
  const words = text
    .replace(/[?!.,]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  const index = words.findIndex((word) => word.toLowerCase() === 'in');
  return words[index + 1] ?? words.at(-1) ?? 'Paris';
}

/**
 * Looks up the weather for every message, however many follow-ups arrive: a message gets a
 * get_weather call, a tool result gets the answer (scripted, no API key).
 */
export default defineAgent({
  name: 'weather',
  description: 'Looks up the weather for the city in each message (scripted model).',
  instructions: 'Use get_weather for the city the user names, then report it.',
  tools: [getWeather],
  model: scriptedModel((request) => {
    if (request.lastRole !== 'tool') {
      return { toolCalls: [{ name: 'get_weather', input: { city: cityOf(request.lastUserText ?? '') } }] };
    }
    const last = request.prompt.at(-1);
    const part = last?.role === 'tool' ? last.content[0] : undefined;
    const output = part?.type === 'tool-result' && part.output.type === 'json' ? part.output.value : null;
    const forecast = output as { city?: string; sky?: string; celsius?: number } | null;
    return {
      text: `It is ${forecast?.sky ?? 'unknown'} and ${forecast?.celsius ?? '?'}°C in ${forecast?.city ?? 'that city'}.`,
    };
  }),
});
