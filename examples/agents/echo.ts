import { defineAgent, scriptedModel } from 'baton-runtime';

/** Answers every message by echoing it, for as many follow-ups as you send (scripted, no API key). */
export default defineAgent({
  name: 'echo',
  description: 'Echoes every message back (scripted model).',
  instructions: 'Repeat what the user said.',
  model: scriptedModel((request) => ({ text: `You said: ${request.lastUserText ?? ''}` })),
});
