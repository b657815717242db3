import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { markdownBlock } from './helpers/readme.js';
import { serveAgentsForSuite } from './helpers/served-agents.js';

describe("docs/hitl.md's curl walkthrough", () => {
  const server = serveAgentsForSuite('examples/hitl', 'baton-hitl-doc-');

  it('approves, denies, answers a question and shows the session context, with curl only', () => {
    const result = spawnSync(
      'bash',
      ['-euo', 'pipefail', '-c', markdownBlock('docs/hitl.md', 'hitl-walkthrough', 'sh')],
      {
        env: { ...process.env, BATON: server.url() },
        encoding: 'utf8',
        timeout: 90_000,
      },
    );
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('{"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const ofType = (type: string) => lines.filter((line) => line.type === type);
    expect(lines).toContainEqual(expect.objectContaining({ decision: 'approve', by: 'anonymous' }));
    expect(lines).toContainEqual(expect.objectContaining({ decision: 'deny' }));
    expect(ofType('tool.started').map((event) => (event.data as { name: string }).name)).toEqual([
      'send_email',
    ]);
    const results = ofType('tool.result').map((event) => event.data);
    expect(results).toEqual([
      expect.objectContaining({ name: 'send_email', ok: true }),
      expect.objectContaining({
        name: 'send_email',
        ok: false,
        error: { code: 'denied', message: 'not today' },
      }),
      expect.objectContaining({ name: 'ask_question', ok: true }),
    ]);
    const completed = ofType('run.completed').map((event) => (event.data as { text: string }).text);
    expect(completed).toEqual([
      expect.stringContaining('paris@example.com'),
      expect.stringContaining('denied'),
      expect.stringContaining('Rome'),
    ]);
    expect(lines.at(-1)).toMatchObject({ context: { user: 'ann', cart: { items: ['apples'] } } });
  });
});
