import { defineAgent } from '../src/core/agent.js';
import { scriptedModel } from '../src/model/scripted-model.js';

/** One model step that answers at once: the shortest possible run, for worker throughput. */
export default defineAgent({
  name: 'short',
  instructions: 'Answer at once.',
  model: scriptedModel(() => ({ text: 'ok' })),
});
