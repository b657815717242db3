import { Hono } from 'hono';
import type { WebhookReceiver } from '../../channels/webhook-receiver.js';
import { limitBody } from '../body-limit.js';
import { pathId } from '../request-input.js';
import type { ServerEnv } from '../server-env.js';

/**
 * `POST /hooks/:name`: deliveries to the webhook channels. Outside `--auth`, the JSON-only and
 * the Origin rules: the channel's signature check is the authentication, and senders post forms
 * as well as JSON. The body limit applies.
 */
export function hookRoutes(receiver: WebhookReceiver, bodyLimit: number): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  routes.post('/hooks/:name', limitBody(bodyLimit), (c) => {
    const { raw } = c.req;
    const body = c.var.requestBody;
    const request = new Request(raw.url, {
      method: raw.method,
      headers: raw.headers,
      ...(body && { body: new Uint8Array(body) }),
    });
    return receiver.receive(pathId('channel', c.req.param('name')), request);
  });
  return routes;
}
