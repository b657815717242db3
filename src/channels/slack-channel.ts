import type { Channel } from './channel.js';
import { defineChannel } from './channel.js';
import { apiBase, postJson, readJsonPayload } from './post-json.js';
import { verifiers } from './verifiers.js';

/** Options of {@link slackChannel}. */
export interface SlackChannelOptions {
  /** The agent every message goes to. */
  agent: string;
  /** Default `SLACK_SIGNING_SECRET`. */
  signingSecretEnv?: string;
  /** The bot token replies are posted with; default `SLACK_BOT_TOKEN`. */
  botTokenEnv?: string;
  /** Default `https://slack.com/api` (a local fake in tests). */
  apiBaseUrl?: string;
}

interface SlackEvent {
  type?: unknown;
  text?: unknown;
  channel?: unknown;
  ts?: unknown;
  thread_ts?: unknown;
  bot_id?: unknown;
  subtype?: unknown;
}

/**
 * The Slack Events API as a channel: verifies Slack's v0 signature, answers `url_verification`,
 * sends `message` and `app_mention` events of people (not bots, its own replies included) to
 * `agent` with one session per thread, and replies in the thread with `chat.postMessage`.
 */
export function slackChannel(options: SlackChannelOptions): Channel {
  const base = apiBase(options.apiBaseUrl ?? 'https://slack.com/api');
  const botTokenEnv = options.botTokenEnv ?? 'SLACK_BOT_TOKEN';
  return defineChannel({
    verify: verifiers.slack({ signingSecretEnv: options.signingSecretEnv ?? 'SLACK_SIGNING_SECRET' }),
    async respond(request) {
      const body = await readJsonPayload(request);
      if (body.type !== 'url_verification') return undefined;
      return Response.json({ challenge: typeof body.challenge === 'string' ? body.challenge : '' });
    },
    async toMessage(request) {
      const body = await readJsonPayload(request);
      const event = (body.event ?? {}) as SlackEvent;
      if (body.type !== 'event_callback' || (event.type !== 'message' && event.type !== 'app_mention'))
        return null;
      if (event.bot_id !== undefined || event.subtype !== undefined) return null;
      if (typeof event.text !== 'string' || event.text === '' || typeof event.channel !== 'string')
        return null;
      if (typeof event.ts !== 'string') return null;
      const thread = typeof event.thread_ts === 'string' ? event.thread_ts : event.ts;
      return {
        agent: options.agent,
        message: event.text,
        sessionKey: `${event.channel}:${thread}`,
        replyTo: { channel: event.channel, thread_ts: thread },
      };
    },
    async reply(event, context) {
      const answer = await postJson(
        `${base}/chat.postMessage`,
        context.env[botTokenEnv],
        { ...event.message.replyTo, text: event.text },
        context.signal,
      );
      // Slack answers 200 with ok: false for a refused call.
      if ((answer as { ok?: unknown }).ok !== true) {
        throw new Error(`chat.postMessage failed: ${String((answer as { error?: unknown }).error)}`);
      }
    },
  });
}
