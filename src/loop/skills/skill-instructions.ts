import type { Skill } from '../../core/skill.js';
import type { SkillActivations } from './skill-activations.js';
import { ACTIVATE_SKILL, READ_SKILL_FILE } from './skill-tools.js';

/**
 * The agent's instructions with its skills: the list of every skill's name and description
 * (progressive disclosure: the model loads a body only when it needs it), then the body of each
 * skill the session activated. Bodies live in the instructions, not only in the transcript's
 * tool result, so an activation survives a resume and anything that rewrites the history.
 */
export function withSkillInstructions(
  instructions: string,
  skills: ReadonlyMap<string, Skill>,
  activations: SkillActivations,
): string {
  if (skills.size === 0) return instructions;
  const listed = [...skills.values()].map((skill) => `- ${skill.name}: ${skill.description}`);
  const sections = [
    instructions,
    [
      '# Skills',
      `Before a task that one of these skills covers, call ${ACTIVATE_SKILL} with its name to load its instructions; ${READ_SKILL_FILE} reads the files it lists.`,
      ...listed,
    ].join('\n'),
  ];
  for (const skill of skills.values()) {
    if (activations.has(skill.name)) sections.push(`# Active skill: ${skill.name}\n${skill.body}`);
  }
  return sections.join('\n\n');
}
