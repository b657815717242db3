import { tool } from 'baton-runtime';
import { z } from 'zod';

// Deterministic "forecasts" so the examples run offline and their output is reproducible.
const SKIES = ['sunny', 'cloudy', 'rainy', 'windy', 'snowy'] as const;

/** A deterministic weather lookup: the same city always gets the same forecast. */
export const getWeather = tool({
  name: 'get_weather',
  description: 'Current weather for a city.',
  inputSchema: z.object({ city: z.string().min(1).describe('City name, e.g. "Paris"') }),
  idempotent: true,
  execute: ({ city }) => {
    const seed = [...city.toLowerCase()].reduce((sum, char) => sum + char.charCodeAt(0), 0);
    return { city, sky: SKIES[seed % SKIES.length], celsius: 5 + (seed % 25) };
  },
});
