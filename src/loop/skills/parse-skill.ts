import { parse as parseYaml, YAMLParseError } from 'yaml';
import { skillFieldProblem } from '../../core/skill.js';
import { InvalidSkillError } from './errors.js';

/** What a SKILL.md says: its front matter's `name` and `description`, and the body below it. */
export interface ParsedSkill {
  name: string;
  description: string;
  body: string;
}

// The front matter is the file's first block between two `---` lines (Agent Skills format).
const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n?^---[ \t]*(?:\r?\n|$)/m;

/**
 * Parses a SKILL.md. Throws {@link InvalidSkillError} naming `file` and what is wrong: no front
 * matter, YAML that does not parse (with its line), or a `name` or `description` that is
 * missing or malformed. Fields other than these two (license, metadata...) are allowed and ignored.
 */
export function parseSkillMarkdown(text: string, file: string): ParsedSkill {
  const match = FRONT_MATTER.exec(text);
  if (match === null || match.index !== 0) {
    throw new InvalidSkillError(file, 'has no YAML front matter (a first block between two --- lines)');
  }
  let fields: unknown;
  try {
    fields = parseYaml(match[1] ?? '');
  } catch (error) {
    if (!(error instanceof YAMLParseError)) throw error;
    // The front matter starts on the file's second line.
    const line = (error.linePos?.[0].line ?? 0) + 1;
    const reason = error.message.split('\n')[0] ?? '';
    throw new InvalidSkillError(file, `front matter is not valid YAML (line ${line}): ${reason}`);
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new InvalidSkillError(file, 'front matter must be a YAML mapping with name and description');
  }
  const record = fields as Record<string, unknown>;
  for (const field of ['name', 'description'] as const) {
    const problem = skillFieldProblem(field, record[field]);
    if (problem !== undefined) throw new InvalidSkillError(file, `front matter field ${field} ${problem}`);
  }
  return {
    name: record.name as string,
    description: record.description as string,
    body: text.slice(match[0].length).trim(),
  };
}
