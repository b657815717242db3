import type { Environment } from '../core/environment.js';
import { BatonError, errorMessage, isBatonError, NotFoundError, ValidationError } from '../core/errors.js';
import type { CallerIdentity } from '../core/tool.js';
import type { Runtime } from '../runtime/types.js';
import type { Logger } from '../telemetry/logger.js';
import { silentLogger } from '../telemetry/logger.js';
import type { Channel, ChannelMessage } from './channel.js';
import { deliveryIdOf } from './delivery-id.js';

/** A delivery whose signature (or token) is missing or wrong: 401, and nothing runs. */
export class WebhookSignatureError extends BatonError {
  constructor(channel: string) {
    super('signature_invalid', `the delivery to channel ${channel} is not signed with its secret`);
  }
}

/** What a channel's delivery was answered with (the body of its 202). */
export interface WebhookAccepted {
  accepted: true;
  /** The delivery id was seen before: acknowledged, nothing done. */
  duplicate?: true;
  /** `toMessage` returned null: acknowledged, nothing done. */
  ignored?: true;
  sessionId?: string;
  runId?: string;
}

/** Options of {@link WebhookReceiver}. */
export interface WebhookReceiverOptions {
  runtime: Runtime;
  channels: ReadonlyMap<string, Channel>;
  /** Where verifiers and replies look their secrets up: the env the CLI passed down. */
  env: Environment;
  /** Epoch ms now (default `Date.now`), for Slack's timestamp window. */
  now?: () => number;
  logger?: Logger;
}

/** Mark scopes: deliveries seen, and runs whose answer was sent back, per channel. */
const deliveriesScope = (channel: string) => `channel.delivery:${channel}`;
const repliesScope = (channel: string) => `channel.reply:${channel}`;

/**
 * Receives deliveries to `POST /hooks/<name>`: verifies them, drops redeliveries (by the ids
 * senders give them, remembered in the store so every server on one database and every
 * restart agrees), turns them into messages (a `sessionKey` keeps a conversation in one
 * session), and sends the answer back with the channel's `reply` once the run completed.
 */
export class WebhookReceiver {
  readonly #options: WebhookReceiverOptions;
  readonly #stopping = new AbortController();
  readonly #replies = new Set<Promise<void>>();

  constructor(options: WebhookReceiverOptions) {
    this.#options = options;
  }

  /** The names of the channels mounted. */
  get names(): string[] {
    return [...this.#options.channels.keys()];
  }

  /** Handles one delivery; throws typed errors (401 signature, 404 channel or agent, 400 payload). */
  async receive(name: string, request: Request): Promise<Response> {
    const channel = this.#options.channels.get(name);
    if (!channel) throw new NotFoundError('channel', name);
    const rawBody = new Uint8Array(await request.arrayBuffer());
    const now = (this.#options.now ?? Date.now)();
    const verified = await Promise.resolve()
      .then(() => channel.verify(request, { rawBody, env: this.#options.env, now }))
      .catch(() => false); // a verifier that throws refuses the delivery: fail closed
    if (verified !== true) throw new WebhookSignatureError(name);
    // Each hook reads the body afresh, as if nothing had read it yet.
    const unread = () =>
      new Request(request.url, { method: request.method, headers: request.headers, body: rawBody });
    const answered = await channel.respond?.(unread());
    if (answered) return answered;

    const deliveryId = deliveryIdOf(request, rawBody);
    const { store } = this.#options.runtime;
    if (deliveryId !== undefined && !(await store.putMark(deliveriesScope(name), deliveryId))) {
      return accepted({ accepted: true, duplicate: true });
    }
    try {
      const message = await readMessage(name, channel, unread());
      if (message === null) return accepted({ accepted: true, ignored: true });
      const { sessionId, runId } = await this.#send(name, message);
      if (channel.reply) this.#replyWhenDone(name, channel, message, sessionId, runId);
      return accepted({ accepted: true, sessionId, runId });
    } catch (error) {
      // Nothing was started: let the sender's retry of this delivery through.
      if (deliveryId !== undefined) await store.deleteMark(deliveriesScope(name), deliveryId);
      throw error;
    }
  }

  /** Stops waiting for answers to send back (the server is stopping). */
  async close(): Promise<void> {
    this.#stopping.abort();
    await Promise.allSettled([...this.#replies]);
  }

  #send(name: string, message: ChannelMessage): Promise<{ sessionId: string; runId: string }> {
    const { runtime } = this.#options;
    if (!runtime.agents.has(message.agent)) throw new NotFoundError('agent', message.agent);
    const caller: CallerIdentity = { kind: 'channel', subject: name };
    if (message.sessionKey === undefined)
      return runtime.start({ agent: message.agent, message: message.message, caller });
    return runtime.converse({
      agent: message.agent,
      message: message.message,
      conversationKey: `channel:${name}:${message.sessionKey}`,
      caller,
    });
  }

  #replyWhenDone(
    name: string,
    channel: Channel,
    message: ChannelMessage,
    sessionId: string,
    runId: string,
  ): void {
    const replying = this.#reply(name, channel, message, sessionId, runId)
      .catch((error: unknown) => {
        if (!this.#stopping.signal.aborted)
          (this.#options.logger ?? silentLogger).warn('channel reply failed', {
            channel: name,
            sessionId,
            runId,
            error: errorMessage(error),
          });
      })
      .finally(() => this.#replies.delete(replying));
    this.#replies.add(replying);
  }

  async #reply(
    name: string,
    channel: Channel,
    message: ChannelMessage,
    sessionId: string,
    runId: string,
  ): Promise<void> {
    const { runtime, env } = this.#options;
    const signal = this.#stopping.signal;
    let answering = runId;
    /** The seq of this message in the log, once the stream passed it. */
    let mine: number | undefined;
    /** How far the answering run's latest response had read the session's messages. */
    let heard: number | undefined;
    for await (const event of runtime.stream(sessionId, { follow: true, signal })) {
      if (event.type === 'model.delta') continue;
      if (event.type === 'message.received' && event.runId === runId && event.data.text === message.message)
        mine = event.seq;
      if (event.runId !== answering) continue;
      if (event.type === 'message.completed') heard = event.data.messagesThrough;
      if (event.type === 'run.failed' || event.type === 'run.cancelled') return;
      if (event.type !== 'run.completed') continue;
      // A run that ended before it read this message (it came while the model answered, with no
      // step left) queued the session's next run for it in the same commit: that run answers it.
      if (mine !== undefined && heard !== undefined && mine > heard) {
        const next = (await runtime.listRuns({ sessionId, limit: 1 })).items[0];
        if (next !== undefined && next.id !== answering) {
          answering = next.id;
          heard = undefined;
          continue;
        }
      }
      // Several messages read by one run get one answer, whichever server saw them.
      if (!(await runtime.store.putMark(repliesScope(name), answering))) return;
      await channel.reply?.(
        { text: event.data.text, sessionId, runId: answering, message },
        { channel: name, env, signal },
      );
      return;
    }
  }
}

/** The channel's message for a delivery, checked; a channel that cannot read it is a 400. */
async function readMessage(name: string, channel: Channel, request: Request): Promise<ChannelMessage | null> {
  let message: ChannelMessage | null;
  try {
    message = await channel.toMessage(request);
  } catch (error) {
    if (isBatonError(error)) throw error;
    throw new ValidationError(`channel ${name} could not read the delivery: ${errorMessage(error)}`);
  }
  if (message === null || message === undefined) return null;
  if (typeof message.agent !== 'string' || typeof message.message !== 'string' || message.message === '') {
    throw new ValidationError(
      `channel ${name}: toMessage must return { agent, message } with a non-empty message`,
    );
  }
  if (
    message.sessionKey !== undefined &&
    (typeof message.sessionKey !== 'string' || message.sessionKey === '')
  ) {
    throw new ValidationError(`channel ${name}: sessionKey must be a non-empty string`);
  }
  return message;
}

function accepted(body: WebhookAccepted): Response {
  return Response.json(body, { status: 202 });
}
