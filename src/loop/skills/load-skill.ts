import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Agent } from '../../core/agent.js';
import { UserError } from '../../core/errors.js';
import { sha256Hex } from '../../core/hash.js';
import type { Skill } from '../../core/skill.js';
import { isSkill } from '../../core/skill.js';
import { InvalidSkillError } from './errors.js';
import { parseSkillMarkdown } from './parse-skill.js';

/** The file every skill folder holds. */
export const SKILL_FILE = 'SKILL.md';

/**
 * Reads the skill of a folder: its SKILL.md, parsed, hashed over its bytes. The folder's name
 * must be the skill's (the Agent Skills rule), so a skill is found where its name says.
 */
export function loadSkillFolder(dir: string): Skill {
  const file = join(resolve(dir), SKILL_FILE);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new UserError('invalid_skill', `skill folder ${dir} has no ${SKILL_FILE}`);
  }
  const bytes = readFileSync(file);
  const parsed = parseSkillMarkdown(bytes.toString('utf8'), file);
  if (parsed.name !== basename(resolve(dir))) {
    throw new InvalidSkillError(
      file,
      `front matter field name ${JSON.stringify(parsed.name)} must be the name of its folder (${basename(resolve(dir))})`,
    );
  }
  return Object.freeze({
    kind: 'skill',
    ...parsed,
    // The real path: read_skill_file confines reads to it, symlinks resolved.
    dir: realpathSync(resolve(dir)),
    hash: sha256Hex(bytes),
  });
}

/** Every skill of a `skills/` folder (`skills/<skill>/SKILL.md`), by folder name; none when it is absent. */
export function loadSkillsDir(skillsDir: string): Skill[] {
  if (!existsSync(skillsDir) || !statSync(skillsDir).isDirectory()) return [];
  return readdirSync(skillsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort()
    .map((name) => loadSkillFolder(join(skillsDir, name)));
}

/**
 * The skills of an agent by name, each folder read now: what a turn and a loaded agent use.
 * Throws `UserError` for a malformed SKILL.md or two skills of one name.
 */
export function resolveSkills(agent: Agent): ReadonlyMap<string, Skill> {
  const skills = new Map<string, Skill>();
  // An agent made by another copy of Baton's modules (a build older than skills) has none.
  for (const source of agent.skills ?? []) {
    const skill = isSkill(source) ? source : loadSkillFolder(source);
    if (skills.has(skill.name)) {
      throw new UserError('invalid_skill', `agent ${agent.name}: two skills are named ${skill.name}`);
    }
    skills.set(skill.name, skill);
  }
  return skills;
}
