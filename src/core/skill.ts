import { UserError } from './errors.js';
import { hashCanonical } from './hash.js';

/**
 * A skill in the Agent Skills format: a name and a description the agent's instructions list,
 * and a body the model loads with `activate_skill` when it needs it (progressive disclosure).
 */
export interface Skill {
  readonly kind: 'skill';
  readonly name: string;
  readonly description: string;
  /** The instructions the model receives on activation (SKILL.md below its front matter). */
  readonly body: string;
  /** The skill's folder (SKILL.md and the files beside it); undefined for a skill defined in code. */
  readonly dir: string | undefined;
  /** sha256 of what the skill says: SKILL.md's bytes, or the canonical JSON of an in-code skill. */
  readonly hash: string;
}

/** What `defineSkill` accepts: a skill written in code, without files. */
export interface SkillOptions {
  name: string;
  description: string;
  body: string;
}

/**
 * An entry of `defineAgent({ skills })`: a skill made by `defineSkill`, or the absolute path of a
 * skill folder holding a SKILL.md (read when the agent is loaded or its turn starts).
 */
export type SkillSource = Skill | string;

/** The Agent Skills rule for names: lowercase letters, digits and single hyphens, at most 64. */
const SKILL_NAME = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,63}$/;
const MAX_DESCRIPTION = 1024;

/**
 * The problem with one front-matter field of a skill, or undefined when it is valid: the one
 * rule for skills written in code and in SKILL.md, so both fail alike.
 */
export function skillFieldProblem(field: 'name' | 'description', value: unknown): string | undefined {
  if (value === undefined || value === null) return 'is missing';
  if (typeof value !== 'string') return `must be a string, got ${typeof value}`;
  if (field === 'name') {
    return SKILL_NAME.test(value)
      ? undefined
      : `${JSON.stringify(value)} must be lowercase letters, digits and hyphens (at most 64)`;
  }
  if (value.trim() === '') return 'is empty';
  return value.length > MAX_DESCRIPTION ? `is longer than ${MAX_DESCRIPTION} characters` : undefined;
}

/** Defines a skill in code: `defineAgent({ skills: [defineSkill({ name, description, body })] })`. */
export function defineSkill(options: SkillOptions): Skill {
  for (const field of ['name', 'description'] as const) {
    const problem = skillFieldProblem(field, options[field]);
    if (problem !== undefined) throw new UserError('invalid_skill', `skill ${field} ${problem}`);
  }
  if (typeof options.body !== 'string') {
    throw new UserError('invalid_skill', `skill ${options.name}: body must be a string`);
  }
  const { name, description, body } = options;
  return Object.freeze({
    kind: 'skill',
    name,
    description,
    body,
    dir: undefined,
    hash: hashCanonical({ name, description, body }),
  });
}

/** Whether a value is a {@link Skill} (made by `defineSkill` or read from a folder). */
export function isSkill(value: unknown): value is Skill {
  const candidate = value as Partial<Skill> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    candidate.kind === 'skill' &&
    typeof candidate.name === 'string' &&
    typeof candidate.body === 'string'
  );
}
