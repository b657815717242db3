import type { Channel } from './channel.js';
import { defineChannel } from './channel.js';
import { apiBase, postJson, readJsonPayload } from './post-json.js';
import { verifiers } from './verifiers.js';

/** Options of {@link githubChannel}. */
export interface GithubChannelOptions {
  /** The agent every comment goes to. */
  agent: string;
  /** The webhook secret; default `GITHUB_WEBHOOK_SECRET`. */
  secretEnv?: string;
  /** The token replies are posted with; default `GITHUB_TOKEN`. */
  tokenEnv?: string;
  /** Default `https://api.github.com` (GitHub Enterprise, or a local fake in tests). */
  apiBaseUrl?: string;
}

interface IssueCommentPayload {
  action?: unknown;
  comment?: { body?: unknown; user?: { type?: unknown } };
  issue?: { number?: unknown };
  repository?: { full_name?: unknown };
}

/**
 * GitHub webhooks as a channel: verifies `X-Hub-Signature-256`, sends new comments on issues
 * and pull requests (`issue_comment` events; not bots', its own replies included) to `agent`
 * with one session per issue, and replies with a comment on that issue.
 */
export function githubChannel(options: GithubChannelOptions): Channel {
  const base = apiBase(options.apiBaseUrl ?? 'https://api.github.com');
  const tokenEnv = options.tokenEnv ?? 'GITHUB_TOKEN';
  return defineChannel({
    verify: verifiers.hmacSha256({
      header: 'x-hub-signature-256',
      secretEnv: options.secretEnv ?? 'GITHUB_WEBHOOK_SECRET',
    }),
    async toMessage(request) {
      if (request.headers.get('x-github-event') !== 'issue_comment') return null;
      const payload = (await readJsonPayload(request)) as IssueCommentPayload;
      const text = payload.comment?.body;
      const issue = payload.issue?.number;
      const repository = payload.repository?.full_name;
      if (payload.action !== 'created' || payload.comment?.user?.type === 'Bot') return null;
      if (typeof text !== 'string' || text === '' || typeof issue !== 'number') return null;
      if (typeof repository !== 'string' || !/^[\w.-]+\/[\w.-]+$/.test(repository)) return null;
      return {
        agent: options.agent,
        message: text,
        sessionKey: `${repository}#${issue}`,
        replyTo: { repository, issue },
      };
    },
    async reply(event, context) {
      const { repository, issue } = event.message.replyTo as { repository: string; issue: number };
      await postJson(
        `${base}/repos/${repository}/issues/${issue}/comments`,
        context.env[tokenEnv],
        { body: event.text },
        context.signal,
        { accept: 'application/vnd.github+json' },
      );
    },
  });
}
