import { askQuestion, defineAgent, scriptedModel } from 'baton-runtime';
import { lastToolOutput } from './scripted.js';

/** Asks which city, then answers with what it was told (scripted, no API key). */
export default defineAgent({
  name: 'asker',
  description: 'Asks a person a question first (scripted model).',
  instructions: 'Ask which city before answering.',
  tools: [askQuestion()],
  model: scriptedModel((request) =>
    request.lastRole === 'tool'
      ? { text: `the person said ${lastToolOutput(request)}` }
      : {
          toolCalls: [
            { name: 'ask_question', input: { question: 'Which city?', choices: ['Paris', 'Rome'] } },
          ],
        },
  ),
});
