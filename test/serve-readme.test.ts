import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { readmeBlock } from './helpers/readme.js';
import { serveAgentsForSuite } from './helpers/served-agents.js';

/** The shell block of the README's HTTP walkthrough (the one after its marker comment). */
function walkthrough(): string {
  return readmeBlock('http-walkthrough', 'sh');
}

describe('the README curl walkthrough', () => {
  const server = serveAgentsForSuite('examples/agents', 'baton-readme-');

  it('starts a session, streams it, follows up by token and streams again, with curl only', () => {
    const result = spawnSync('bash', ['-euo', 'pipefail', '-c', walkthrough()], {
      env: { ...process.env, BATON: server.url() },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    const events = lines
      .filter((line) => line.startsWith('{"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const completed = events.filter((event) => event.type === 'run.completed');
    expect(completed.map((event) => (event.data as { text: string }).text)).toEqual([
      expect.stringContaining('Paris'),
      expect.stringContaining('Oslo'),
    ]);
    // The follow-up reply, then the second stream starting where the first one ended.
    const reply = events.find((event) => 'continuationToken' in event && !('seq' in event));
    expect(reply).toMatchObject({ sessionId: expect.any(String), runId: expect.any(String) });
    expect(result.stdout).toMatch(/^id: \d+\nevent: message\.received\n/m);
    const session = events.at(-1) as { runs: unknown[]; status: string };
    expect(session.runs).toHaveLength(2);
  });
});
