/** What the files of a new project depend on. */
export interface ProjectSpec {
  /** The package name (the folder's name, made npm-safe). */
  name: string;
  /** The dependency spec of baton-runtime: the running install's (`file:<path>`). */
  batonSpec: string;
  zodSpec: string;
}

const AGENT = `import { defineAgent, scriptedModel, tool } from 'baton-runtime';
import { z } from 'zod';

const getTime = tool({
  name: 'get_time',
  description: 'The current time, as an ISO string',
  inputSchema: z.object({}),
  idempotent: true, // safe to run again if a crash interrupts it
  execute: () => ({ now: new Date().toISOString() }),
});

/**
 * The project's assistant. Its skills are in skills/, its schedules in schedules/.
 * With BATON_MODEL (e.g. openai:gpt-4.1-mini, and OPENAI_API_KEY) it uses that model;
 * without one, a scripted model that activates the greeting skill and answers.
 */
export default defineAgent({
  name: 'assistant',
  description: 'A friendly assistant.',
  instructions: 'You are a friendly, concise assistant.',
  model:
    process.env.BATON_MODEL ||
    scriptedModel(({ lastRole, lastUserText }) =>
      lastRole === 'user'
        ? { toolCalls: [{ name: 'activate_skill', input: { name: 'greeting' } }] }
        : { text: \`Hello! You said: \${lastUserText ?? ''}. (This is the scripted model: set BATON_MODEL for a real one.)\` },
    ),
  tools: [getTime],
  limits: { maxSteps: 10, timeoutMs: 120_000 },
});
`;

const SKILL = `---
name: greeting
description: How to greet people. Use it at the start of every conversation.
---
Greet the person warmly in one short sentence, then answer their message.
If they ask for the time, call get_time. The tone guide is in tone.md (read_skill_file).
`;

const SKILL_TONE = `Friendly, plain words, no exclamation marks after the first sentence.
`;

const SCHEDULE = `import { defineSchedule } from 'baton-runtime';

/** Every weekday at 09:00 UTC, one message into one shared session (schedule id assistant/morning). */
export default defineSchedule({
  cron: '0 9 * * 1-5',
  timezone: 'UTC',
  session: 'shared',
  catchUp: 'skip',
  message: ({ tick }) => \`Good morning! It is \${tick}. Anything on today?\`,
});
`;

const CHANNEL = `import { defineChannel } from 'baton-runtime';

/**
 * A webhook stub at POST /hooks/hook: JSON { "text": "...", "thread": "..." } with
 * "Authorization: Bearer $HOOK_TOKEN". It refuses every delivery until HOOK_TOKEN is set.
 * For a fixed secret, verifiers.bearer({ tokenEnv: 'HOOK_TOKEN' }) does the same (and a
 * server without the variable refuses to start); slackChannel() and githubChannel() are built in.
 */
export default defineChannel({
  verify: (request, { env }) =>
    env.HOOK_TOKEN !== undefined && request.headers.get('authorization') === \`Bearer \${env.HOOK_TOKEN}\`,
  async toMessage(request) {
    const body = (await request.json()) as { text?: unknown; thread?: unknown };
    if (typeof body.text !== 'string') return null;
    return {
      agent: 'assistant',
      message: body.text,
      ...(typeof body.thread === 'string' && { sessionKey: body.thread }),
    };
  },
});
`;

const readme = (name: string) => `# ${name}

A [Baton](https://www.npmjs.com/package/baton-runtime) project: durable AI agents, authored as folders.

\`\`\`sh
npm install
npx baton run agents/assistant "Hi there"     # one run, in this process (scripted model, no API key)
npx baton serve                               # the HTTP API, the schedules and the webhook channels
BATON_MODEL=openai:gpt-4.1-mini OPENAI_API_KEY=... npx baton serve   # with a real model
\`\`\`

\`\`\`
agents/assistant/agent.ts                 the agent (defineAgent)
agents/assistant/skills/greeting/SKILL.md  a skill: front matter (name, description) and instructions
agents/assistant/schedules/morning.ts     a schedule (defineSchedule), id assistant/morning
channels/hook.ts                          a webhook channel at POST /hooks/hook (defineChannel)
\`\`\`

The store is \`.baton/baton.db\` (SQLite) unless \`--db\` names another (a \`postgres://\` URL lets
several servers share one). Every folder and file type is described in baton-runtime's
docs/project-layout.md.
`;

const GITIGNORE = `node_modules/
.baton/
`;

/** Every file of a new project, by path relative to its folder. */
export function projectFiles(spec: ProjectSpec): Record<string, string> {
  const packageJson = {
    name: spec.name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: { start: 'baton serve', dev: 'baton run agents/assistant' },
    dependencies: { 'baton-runtime': spec.batonSpec, zod: spec.zodSpec },
  };
  return {
    'package.json': `${JSON.stringify(packageJson, null, 2)}\n`,
    'README.md': readme(spec.name),
    '.gitignore': GITIGNORE,
    'agents/assistant/agent.ts': AGENT,
    'agents/assistant/skills/greeting/SKILL.md': SKILL,
    'agents/assistant/skills/greeting/tone.md': SKILL_TONE,
    'agents/assistant/schedules/morning.ts': SCHEDULE,
    'channels/hook.ts': CHANNEL,
  };
}
