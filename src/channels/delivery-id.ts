/** Headers senders name a delivery by, so a redelivery of one is recognised. */
const DELIVERY_HEADERS = ['x-github-delivery', 'x-delivery-id'];

/**
 * The id the sender gave this delivery: GitHub's `X-GitHub-Delivery`, the generic
 * `X-Delivery-Id`, or Slack's `event_id` in a JSON body. Undefined when it has none (every
 * such delivery is then new).
 */
export function deliveryIdOf(request: Request, rawBody: Uint8Array): string | undefined {
  for (const header of DELIVERY_HEADERS) {
    const value = request.headers.get(header);
    if (value) return value;
  }
  if (!(request.headers.get('content-type') ?? '').includes('json')) return undefined;
  try {
    const body = JSON.parse(Buffer.from(rawBody).toString('utf8')) as { event_id?: unknown } | null;
    return typeof body?.event_id === 'string' && body.event_id !== '' ? body.event_id : undefined;
  } catch {
    // A body that is not JSON has no Slack event id: the delivery is simply not deduplicated.
    return undefined;
  }
}
