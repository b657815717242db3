import { UserError } from '../../core/errors.js';

/** A SKILL.md that cannot be a skill: the message names the file and the field (or the front matter). */
export class InvalidSkillError extends UserError {
  constructor(file: string, problem: string) {
    super('invalid_skill', `${file}: ${problem}`);
  }
}

/** `activate_skill` or `read_skill_file` named a skill the active agent does not have. */
export class UnknownSkillError extends UserError {
  constructor(name: string, known: readonly string[]) {
    super(
      'unknown_skill',
      `there is no skill named ${JSON.stringify(name)}${known.length > 0 ? `; the skills are ${known.join(', ')}` : ''}`,
    );
  }
}

/** `read_skill_file` named a path outside the skill's folder (`..`, absolute, or a symlink leading out). */
export class SkillPathEscapeError extends UserError {
  constructor(skill: string, path: string) {
    super('path_escape', `path ${JSON.stringify(path)} leads out of the folder of skill ${skill}`);
  }
}

/**
 * `read_skill_file` named a file the skill's folder does not hold, or a symlink that leads to
 * none (dangling, or a loop): `reason` says which.
 */
export class SkillFileNotFoundError extends UserError {
  constructor(skill: string, path: string, reason?: string) {
    super(
      'skill_file_not_found',
      `skill ${skill} has no file ${JSON.stringify(path)}${reason === undefined ? '' : `: ${reason}`}`,
    );
  }
}
