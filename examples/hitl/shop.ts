import { contextKey, defineAgent, scriptedModel, tool } from 'baton-runtime';
import { z } from 'zod';

const cart = contextKey('cart', z.object({ items: z.array(z.string()) }), { default: { items: [] } });

const addItem = tool({
  name: 'add_item',
  description: 'Adds an item to the cart',
  inputSchema: z.object({ item: z.string() }),
  execute: ({ item }, ctx) => {
    const next = { items: [...ctx.context.get(cart).items, item] };
    ctx.context.set(cart, next); // validated now, committed with this call's result
    return next;
  },
});

/** Adds the last word of each message to the session's cart, kept in its durable context. */
export default defineAgent({
  name: 'shop',
  description: 'Keeps a cart in the session context (scripted model).',
  instructions: ({ context }) => `The cart holds: ${context.get(cart).items.join(', ') || 'nothing'}.`,
  tools: [addItem],
  model: scriptedModel((request) =>
    request.lastRole === 'tool'
      ? { text: 'added' }
      : { toolCalls: [{ name: 'add_item', input: { item: request.lastUserText?.split(' ').at(-1) ?? '' } }] },
  ),
});
