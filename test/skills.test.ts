import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/baton-runtime.js';
import type { Agent } from '../src/core/agent.js';
import { defineAgent } from '../src/core/agent.js';
import type { BatonEvent } from '../src/core/events.js';
import { scriptedModel } from '../src/model/scripted-model.js';
import { loadAgentFile } from '../src/runtime/agent-loader.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { exited, readEffects, spawnCli, waitForEffect } from './fixtures/effects.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-skills-'));
const GUIDE = join(REPO_ROOT, 'test', 'fixtures', 'skills', 'agents', 'guide');
const GREETING_FILE = join(GUIDE, 'skills', 'greeting', 'SKILL.md');
const SRC = join(REPO_ROOT, 'src', 'index.js');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function systemOf(prompt: { role: string; content: unknown }[]): string {
  const first = prompt[0];
  return first?.role === 'system' ? String(first.content) : '';
}

function runtimeOn(name: string, agents: Agent[]) {
  return createRuntime({ store: new SqliteStore(join(dir, `${name}.db`)), agents });
}

describe('skills', () => {
  it('activates a folder skill: the model gets its body and files, the instructions keep it for the session, skill.activated commits once', async () => {
    const guide = await loadAgentFile(GUIDE);
    const runtime = runtimeOn('activation', [guide]);
    try {
      const caller = { kind: 'cli', subject: 'test' } as const;
      const first = await runtime.start({ agent: 'guide', message: 'hello', caller });
      const run = await runtime.execute(first.runId);
      expect(run.status).toBe('succeeded');
      const answer = (run.result as { text: string }).text;
      expect(answer).toContain('You are a guide.');
      expect(answer).toContain('- greeting: Greets people in the house style.');
      expect(answer).toContain('# Active skill: greeting\n# Greeting\n\nGreet with "Ahoy"');

      const events = await runtime.store.readEvents(first.sessionId);
      const index = events.findIndex((event) => event.type === 'skill.activated');
      expect(events[index]?.data).toEqual({ name: 'greeting', hash: sha256(GREETING_FILE) });
      // Committed with the activation's result, in its transaction.
      const result = events[index - 1] as BatonEvent<'tool.result'>;
      expect(result.type).toBe('tool.result');
      expect(result.data.output).toEqual({
        name: 'greeting',
        body: expect.stringContaining('then offer tea.'),
        files: ['notes/style.md'],
      });

      // A follow-up run of the session: the skill is still active, and activating it again commits nothing.
      const second = await runtime.deliver({
        continuationToken: first.continuationToken as string,
        message: 'again',
      });
      const followUp = await runtime.execute(second.runId);
      expect((followUp.result as { text: string }).text).toContain('# Active skill: greeting');
      const all = await runtime.store.readEvents(first.sessionId);
      expect(all.filter((event) => event.type === 'skill.activated')).toHaveLength(1);
    } finally {
      await runtime.close();
      await runtime.store.close();
    }
  });

  it('confines read_skill_file to the skill folder: .., absolute paths and symlinks out are path_escape', async () => {
    const project = join(dir, 'confined');
    const skill = join(project, 'skills', 'lookup');
    mkdirSync(join(skill, 'docs'), { recursive: true });
    writeFileSync(
      join(skill, 'SKILL.md'),
      '---\nname: lookup\ndescription: Looks things up.\n---\nUse the docs.\n',
    );
    writeFileSync(join(skill, 'docs', 'guide.md'), 'the guide');
    writeFileSync(join(project, 'secret.txt'), 'the secret');
    symlinkSync(join(project, 'secret.txt'), join(skill, 'leak.md'));
    symlinkSync(join(skill, 'docs', 'guide.md'), join(skill, 'inner.md'));
    let firstSystem = '';
    const paths = [
      'docs/guide.md',
      'inner.md',
      '../secret.txt',
      join(project, 'secret.txt'),
      'leak.md',
      'docs',
    ];
    const agent = defineAgent({
      name: 'reader',
      instructions: 'Read.',
      skills: [skill],
      model: scriptedModel([
        ({ prompt }) => {
          firstSystem = systemOf(prompt);
          return {
            toolCalls: [
              ...paths.map((path) => ({ name: 'read_skill_file', input: { skill: 'lookup', path } })),
              { name: 'read_skill_file', input: { skill: 'lookup', path: 'missing.md' } },
              { name: 'read_skill_file', input: { skill: 'other', path: 'docs/guide.md' } },
              { name: 'activate_skill', input: { name: 'other' } },
              { name: 'activate_skill', input: { name: 'lookup' } },
            ],
          };
        },
        { text: 'done' },
      ]),
    });
    const runtime = runtimeOn('confined', [agent]);
    try {
      const { sessionId, runId } = await runtime.start({ agent: 'reader', message: 'read' });
      expect((await runtime.execute(runId)).status).toBe('succeeded');
      // Listed, not activated: the body stays out of the instructions until activate_skill.
      expect(firstSystem).toContain('- lookup: Looks things up.');
      expect(firstSystem).not.toContain('Use the docs.');
      const events = await runtime.store.readEvents(sessionId);
      const outcomes = new Map(
        events
          .filter((event): event is BatonEvent<'tool.result'> => event.type === 'tool.result')
          .map(({ data }) => [
            data.toolCallId,
            data.ok ? ((data.output as { content?: string }).content ?? 'ok') : data.error?.code,
          ]),
      );
      // Calls run in parallel and commit as they finish: their outcomes in the order they were asked for.
      const asked = events.find(
        (event) => event.type === 'message.completed',
      ) as BatonEvent<'message.completed'>;
      const results = asked.data.toolCalls.map((call) => outcomes.get(call.toolCallId));
      expect(results).toEqual([
        'the guide',
        'the guide',
        'path_escape',
        'path_escape',
        'path_escape',
        'not_a_regular_file',
        'skill_file_not_found',
        'unknown_skill',
        'unknown_skill',
        'ok',
      ]);
      // The list holds what read_skill_file reads: the symlink out of the folder is not in it.
      const activation = events.find(
        (event): event is BatonEvent<'tool.result'> =>
          event.type === 'tool.result' && event.data.name === 'activate_skill' && event.data.ok,
      );
      expect(activation?.data.output).toEqual({
        name: 'lookup',
        body: 'Use the docs.',
        files: ['docs/guide.md', 'inner.md'],
      });
    } finally {
      await runtime.close();
      await runtime.store.close();
    }
  });

  it('answers a dangling or looping symlink with skill_file_not_found, not a raw ENOENT or ELOOP', async () => {
    const project = join(dir, 'links');
    const skill = join(project, 'skills', 'lookup');
    mkdirSync(skill, { recursive: true });
    writeFileSync(join(skill, 'SKILL.md'), '---\nname: lookup\ndescription: Looks things up.\n---\nRead.\n');
    writeFileSync(join(project, 'outside.txt'), 'the secret');
    symlinkSync(join(skill, 'gone.md'), join(skill, 'dangling.md'));
    symlinkSync(join(project, 'not-yet.md'), join(skill, 'dangling-out.md'));
    symlinkSync(join(skill, 'loop-b.md'), join(skill, 'loop-a.md'));
    symlinkSync(join(skill, 'loop-a.md'), join(skill, 'loop-b.md'));
    symlinkSync(join(skill, 'loop-a.md'), join(skill, 'via-loop'));
    const paths = ['dangling.md', 'dangling-out.md', 'loop-a.md', 'via-loop/x.md'];
    const agent = defineAgent({
      name: 'reader',
      instructions: 'Read.',
      skills: [skill],
      model: scriptedModel([
        {
          toolCalls: paths.map((path) => ({ name: 'read_skill_file', input: { skill: 'lookup', path } })),
        },
        { text: 'done' },
      ]),
    });
    const runtime = runtimeOn('links', [agent]);
    try {
      const { sessionId, runId } = await runtime.start({ agent: 'reader', message: 'read' });
      expect((await runtime.execute(runId)).status).toBe('succeeded');
      const events = await runtime.store.readEvents(sessionId);
      const results = new Map(
        events
          .filter((event): event is BatonEvent<'tool.result'> => event.type === 'tool.result')
          .map(({ data }) => [data.toolCallId, data.error]),
      );
      const asked = events.find(
        (event) => event.type === 'message.completed',
      ) as BatonEvent<'message.completed'>;
      const errors = asked.data.toolCalls.map((call) => results.get(call.toolCallId));
      expect(errors.map((error) => error?.code)).toEqual([
        'skill_file_not_found',
        'skill_file_not_found',
        'skill_file_not_found',
        'skill_file_not_found',
      ]);
      for (const error of errors) expect(error?.message).not.toMatch(/ENOENT|ELOOP/);
    } finally {
      await runtime.close();
      await runtime.store.close();
    }
  });

  it('keeps a skill active in the instructions of a run resumed after its process was killed', async () => {
    const db = join(dir, 'resume.db');
    const effects = join(dir, 'resume-effects.log');
    const env = { BATON_TEST_EFFECTS: effects, BATON_TEST_TOOL_MS: '60000' };
    const child = spawnCli(['run', GUIDE, 'hello', '--db', db], env);
    await waitForEffect(effects, child.pid as number, (line) => line.kind === 'tool-start', child);
    child.kill('SIGKILL');
    await exited(child);

    const worker = await runCli(['worker', '--until-idle', '--lease-ttl', '500', '--db', db], {
      env: { ...env, BATON_TEST_TOOL_MS: '0' },
    });
    expect(worker.code, worker.stderr).toBe(0);
    const holds = readEffects(effects).filter((line) => line.kind === 'tool-start');
    // Started by the killed process, then run again by the worker.
    expect(holds).toHaveLength(2);
    expect(holds[0]?.pid).toBe(child.pid);
    expect(holds[1]?.pid).not.toBe(child.pid);

    const store = new SqliteStore(db);
    try {
      const [session] = (await store.listSessions({ limit: 1 })).items;
      const events = await store.readEvents(session?.id ?? '');
      expect(events.filter((event) => event.type === 'run.started')).toHaveLength(2);
      expect(events.filter((event) => event.type === 'skill.activated')).toHaveLength(1);
      const completed = events.at(-1) as BatonEvent<'run.completed'>;
      expect(completed.type).toBe('run.completed');
      // The resumed process rebuilt the activation from the log: the body is in its instructions.
      expect(completed.data.text).toContain('# Active skill: greeting\n# Greeting');
    } finally {
      await store.close();
    }
  });

  it.each([
    ['a missing name', '---\ndescription: Says hi.\n---\nHi.\n', 'front matter field name is missing'],
    [
      'bad YAML',
      '---\nname: hello\ndescription: [Says hi\n---\nHi.\n',
      'front matter is not valid YAML (line 3)',
    ],
  ])(
    'fails `baton run` with exit code 2 for a SKILL.md with %s, naming the file and the field',
    async (_case, text, problem) => {
      const project = mkdtempSync(join(dir, 'malformed-'));
      const agentDir = join(project, 'agents', 'hello');
      mkdirSync(join(agentDir, 'skills', 'hello'), { recursive: true });
      writeFileSync(
        join(agentDir, 'agent.ts'),
        `import { defineAgent, scriptedModel } from '${SRC}';
export default defineAgent({ name: 'hello', instructions: 'Hi.', model: scriptedModel([{ text: 'hi' }]) });
`,
      );
      const file = join(agentDir, 'skills', 'hello', 'SKILL.md');
      writeFileSync(file, text);
      const result = await runCli(['run', agentDir, 'hi', '--db', join(project, 'baton.db')]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`${file}: ${problem}`);
    },
  );
});
