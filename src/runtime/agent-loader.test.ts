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

  it("adds an agent folder's skills/ to the agent, whether loaded by folder, by agent.ts or from a directory", async () => {
    const agents = mkdtempSync(join(dir, 'skilled-'));
    const folder = join(agents, 'delta');
    mkdirSync(join(folder, 'skills', 'review'), { recursive: true });
    writeFileSync(join(folder, 'agent.ts'), agentSource('delta'));
    writeFileSync(
      join(folder, 'skills', 'review', 'SKILL.md'),
      '---\nname: review\ndescription: Reviews code.\n---\nLook twice.\n',
    );
    for (const agent of [
      await loadAgentFile(folder),
      await loadAgentFile(join(folder, 'agent.ts')),
      (await loadAgentsDir(agents)).get('delta'),
    ]) {
      expect(agent?.skills).toEqual([expect.objectContaining({ name: 'review', body: 'Look twice.' })]);
    }
    // A skill whose folder is named otherwise is refused, naming the file and the field.
    mkdirSync(join(folder, 'skills', 'lint'));
    writeFileSync(
      join(folder, 'skills', 'lint', 'SKILL.md'),
      '---\nname: review\ndescription: Lints.\n---\n',
    );
    await expect(loadAgentFile(folder)).rejects.toThrow(
      `${join(folder, 'skills', 'lint', 'SKILL.md')}: front matter field name "review" must be the name of its folder (lint)`,
    );
  });

  it('skips a helper module without a default export in an agents directory', async () => {
    const helpers = mkdtempSync(join(dir, 'helpers-'));
    writeFileSync(join(helpers, 'gamma.ts'), agentSource('gamma'));
    writeFileSync(
      join(helpers, 'weather-tool.ts'),
      "export const forecast = (city: string) => city + ': sunny';\n",
    );
    writeFileSync(join(helpers, 'util.mjs'), 'export const two = 2;\n');
    expect([...(await loadAgentsDir(helpers)).keys()]).toEqual(['gamma']);
  });

  it('still refuses a directory module whose default export is not an agent', async () => {
    const wrong = mkdtempSync(join(dir, 'wrong-'));
    writeFileSync(join(wrong, 'delta.ts'), agentSource('delta'));
    writeFileSync(join(wrong, 'config.ts'), 'export default { name: "config" };\n');
    await expect(loadAgentsDir(wrong)).rejects.toThrow(/the default export of .*config\.ts is not an agent/);
  });

  it('names file:line:column and the reason of a syntax error in a TypeScript or JavaScript file', async () => {
    const broken = join(dir, 'broken.ts');
    writeFileSync(broken, "const a: number = 1;\nexport default {\n  name: 'x',,\n};\n");
    await expect(loadAgentFile(broken)).rejects.toThrow(
      `cannot load ${broken}:3:13: Expected identifier but found ","`,
    );
    const brokenJs = join(dir, 'broken.mjs');
    writeFileSync(brokenJs, 'export const x = 1;\nconst y = ;\n');
    await expect(loadAgentFile(brokenJs)).rejects.toThrow(`cannot load ${brokenJs}:2:11: Unexpected ";"`);
  });

  it('keeps the reason of a module that throws while loading', async () => {
    const throwing = join(dir, 'throwing.mjs');
    writeFileSync(throwing, "throw new Error('no API key configured');\n");
    await expect(loadAgentFile(throwing)).rejects.toThrow(`cannot load ${throwing}: no API key configured`);
  });
});
