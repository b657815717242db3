import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../core/errors.js';
import { loadAgentFile, loadAgentsDir } from './agent-loader.js';

const fixtures = resolve('test', 'fixtures', 'agents');
const dir = mkdtempSync(join(tmpdir(), 'baton-agents-'));
const agentSource = (name: string) =>
  `import { defineAgent } from '${resolve('src', 'core', 'agent.ts')}';\n` +
  `export default defineAgent({ name: '${name}', instructions: 'x', model: 'openai:gpt-4.1-mini' });\n`;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('agent loader', () => {
  it('loads the default export of a TypeScript agent module', async () => {
    const agent = await loadAgentFile(join(fixtures, 'three-lookups.ts'));
    expect(agent.name).toBe('three-lookups');
  });

  it('explains a missing file, a missing default export and a default that is not an agent', async () => {
    await expect(loadAgentFile(join(fixtures, 'missing.ts'))).rejects.toThrow(/does not exist/);
    await expect(loadAgentFile(join(fixtures, 'no-default.ts'))).rejects.toThrow(/no default export/);
    await expect(loadAgentFile(join(fixtures, 'not-an-agent.ts'))).rejects.toBeInstanceOf(UserError);
  });

  it('loads <name>.ts files and <name>/agent.ts folders of a directory by agent name', async () => {
    writeFileSync(join(dir, 'alpha.ts'), agentSource('alpha'));
    mkdirSync(join(dir, 'beta'));
    writeFileSync(join(dir, 'beta', 'agent.ts'), agentSource('beta'));
    writeFileSync(join(dir, 'notes.md'), 'not a module');
    const agents = await loadAgentsDir(dir);
    expect([...agents.keys()]).toEqual(['alpha', 'beta']);
  });
});
