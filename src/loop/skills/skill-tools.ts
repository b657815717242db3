import { z } from 'zod';
import type { Skill } from '../../core/skill.js';
import type { AnyTool } from '../../core/tool.js';
import { tool } from '../../core/tool.js';
import { UnknownSkillError } from './errors.js';
import { listSkillFiles, readSkillFile } from './skill-files.js';

/** The built-in tool that loads a skill's body; its successful results commit `skill.activated`. */
export const ACTIVATE_SKILL = 'activate_skill';
/** The built-in tool that reads one file of a skill's folder. */
export const READ_SKILL_FILE = 'read_skill_file';

function find(skills: ReadonlyMap<string, Skill>, name: string): Skill {
  const skill = skills.get(name);
  if (skill === undefined) throw new UnknownSkillError(name, [...skills.keys()]);
  return skill;
}

/**
 * `activate_skill { name }` and `read_skill_file { skill, path }` over an agent's skills. Both
 * only read, so both are idempotent: a resumed run may simply call them again.
 */
export function skillTools(skills: ReadonlyMap<string, Skill>): AnyTool[] {
  if (skills.size === 0) return [];
  return [
    tool({
      name: ACTIVATE_SKILL,
      description:
        'Activates one of your skills: returns its instructions and the list of its files (read them with read_skill_file). The skill stays active for the rest of the conversation.',
      inputSchema: z.object({
        name: z.string().describe('the name of the skill, as listed in your instructions'),
      }),
      execute: async ({ name }) => {
        const skill = find(skills, name);
        return { name: skill.name, body: skill.body, files: await listSkillFiles(skill) };
      },
      idempotent: true,
    }),
    tool({
      name: READ_SKILL_FILE,
      description: "Reads one file of a skill's folder (a path from activate_skill's list of files).",
      inputSchema: z.object({
        skill: z.string().describe('the name of the skill'),
        path: z.string().describe("the file's path, relative to the skill's folder"),
      }),
      execute: async ({ skill, path }) => ({
        skill,
        path,
        content: await readSkillFile(find(skills, skill), path),
      }),
      idempotent: true,
    }),
  ];
}
