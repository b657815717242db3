import type { Environment } from '../core/environment.js';
import { UserError } from '../core/errors.js';

/** What a channel's `verify` is given besides the request. */
export interface VerifyContext {
  /** The body exactly as received: what signatures are computed over. */
  rawBody: Uint8Array;
  /** The environment the CLI passed down, where secrets named by `secretEnv` are looked up. */
  env: Environment;
  /** Epoch milliseconds now, for timestamp windows. */
  now: number;
}

/**
 * Decides whether a delivery really comes from the sender: true lets it in, false (or a throw)
 * is `401 signature_invalid` and runs nothing. `requiredEnv` (set by the built-in verifiers)
 * names the variables it needs, so a server missing one refuses to start instead of refusing
 * every delivery.
 */
export type Verifier = ((request: Request, context: VerifyContext) => boolean | Promise<boolean>) & {
  readonly requiredEnv?: readonly string[];
};

/** What a delivery asks of Baton: a message to an agent, in a conversation when `sessionKey` is set. */
export interface ChannelMessage {
  agent: string;
  message: string;
  /**
   * Names the outside conversation (a Slack thread, a GitHub issue); scoped by the channel's
   * name, every delivery with one key goes to one session.
   */
  sessionKey?: string;
  /** Whatever `reply` needs to find the conversation again (a channel id, an issue URL). */
  replyTo?: Record<string, unknown>;
}

/** The answer `reply` sends back: the text of the run that read the message. */
export interface ChannelReplyEvent {
  text: string;
  sessionId: string;
  runId: string;
  /** The message as `toMessage` made it, `replyTo` included. */
  message: ChannelMessage;
}

/** What `reply` is given besides the answer. */
export interface ChannelReplyContext {
  /** The channel's name (its file name). */
  channel: string;
  env: Environment;
  /** Aborted when the server stops. */
  signal: AbortSignal;
}

/** Options of {@link defineChannel}. */
export interface ChannelOptions {
  verify: Verifier;
  /**
   * Turns a verified delivery (its body still unread) into a message, or `null` for one to
   * acknowledge and ignore (an event the channel does not handle, the bot's own message).
   */
  toMessage(request: Request): ChannelMessage | null | Promise<ChannelMessage | null>;
  /** Sends the answer back once the run that read the message completed. */
  reply?(event: ChannelReplyEvent, context: ChannelReplyContext): void | Promise<void>;
  /**
   * Answers a verified delivery itself (a handshake such as Slack's `url_verification`);
   * `undefined` hands it on to `toMessage`.
   */
  respond?(request: Request): Response | undefined | Promise<Response | undefined>;
}

const CHANNEL_BRAND = Symbol.for('baton.channel');

/** A webhook channel made by {@link defineChannel}; mounted by `baton serve` at `POST /hooks/<name>`. */
export type Channel = Readonly<ChannelOptions>;

/** A webhook channel: how deliveries are verified, read into messages and answered. */
export function defineChannel(options: ChannelOptions): Channel {
  for (const field of ['verify', 'toMessage'] as const) {
    if (typeof options?.[field] !== 'function') {
      throw new UserError('invalid_channel', `defineChannel needs a ${field} function`);
    }
  }
  for (const field of ['reply', 'respond'] as const) {
    if (options[field] !== undefined && typeof options[field] !== 'function') {
      throw new UserError('invalid_channel', `defineChannel: ${field} must be a function`);
    }
  }
  const channel = { ...options };
  Object.defineProperty(channel, CHANNEL_BRAND, { value: true });
  return Object.freeze(channel);
}

/** True for a channel made by {@link defineChannel} (from any copy of Baton's modules). */
export function isChannel(value: unknown): value is Channel {
  return typeof value === 'object' && value !== null && CHANNEL_BRAND in value;
}
