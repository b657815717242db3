import type { Dirent } from 'node:fs';
import { constants } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { UserError } from '../../core/errors.js';
import type { Skill } from '../../core/skill.js';
import { NotARegularFileError, PathEscapeError } from '../../workspace/errors.js';
import { isInside, resolveInside } from '../../workspace/safe-path.js';
import { SkillFileNotFoundError, SkillPathEscapeError } from './errors.js';
import { SKILL_FILE } from './load-skill.js';

/** At most this many files are listed: the list goes into the model's context. */
const MAX_LISTED = 200;
/** A file read by `read_skill_file` goes into the model's context whole, so it is capped. */
export const MAX_SKILL_FILE_BYTES = 256 * 1024;

/**
 * The files beside a skill's SKILL.md, relative to its folder with `/` separators, sorted; hidden
 * entries are skipped. A skill defined in code has none.
 */
export async function listSkillFiles(skill: Skill): Promise<string[]> {
  const root = skill.dir;
  if (root === undefined) return [];
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries: Dirent[] = await readdir(dir, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (found.length >= MAX_LISTED || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      // Folders are walked but never followed through a symlink, which could lead anywhere; a
      // symlinked file is listed only when read_skill_file would read it.
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() || (entry.isSymbolicLink() && (await leadsInside(root, path))))
        found.push(relative(root, path).split(sep).join('/'));
    }
  };
  await walk(root);
  return found.filter((path) => path !== SKILL_FILE);
}

/** Whether a symlink's target is a file inside `root` (a dangling or escaping link is not). */
async function leadsInside(root: string, link: string): Promise<boolean> {
  try {
    return isInside(root, await realpath(link)) && (await stat(link)).isFile();
  } catch {
    // A dangling link (or one removed meanwhile) has nothing to read: it is not listed.
    return false;
  }
}

/** Errors of a path whose symlinks lead to no file: dangling (ENOENT, ENOTDIR) or looping (ELOOP). */
const LEADS_NOWHERE = new Set(['ENOENT', 'ENOTDIR', 'ELOOP']);

function leadsNowhere(error: unknown): boolean {
  return LEADS_NOWHERE.has((error as NodeJS.ErrnoException | undefined)?.code ?? '');
}

/**
 * One file of a skill's folder, as UTF-8 text. The path is relative to the folder: an absolute
 * path, `..` out of it, or a symlink whose target lies outside is a {@link SkillPathEscapeError};
 * a missing file, or a symlink that is dangling or loops, `skill_file_not_found`; a directory or
 * device `not_a_regular_file`; a file past {@link MAX_SKILL_FILE_BYTES} `file_too_large`.
 */
export async function readSkillFile(skill: Skill, path: string): Promise<string> {
  const root = skill.dir;
  if (root === undefined) throw new SkillFileNotFoundError(skill.name, path);
  const notFound = (error: unknown): never => {
    if (!leadsNowhere(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new SkillFileNotFoundError(
      skill.name,
      path,
      code === 'ELOOP' ? 'its symlinks loop' : 'it does not exist (or a symlink on the way is dangling)',
    );
  };
  let real: string;
  try {
    // Checked and read by its real path: what is read is what was checked to lie inside.
    real = await realpath(await resolveInside(root, path));
    if (!isInside(await realpath(root), real)) throw new PathEscapeError(path);
  } catch (error) {
    if (error instanceof PathEscapeError) throw new SkillPathEscapeError(skill.name, path);
    return notFound(error);
  }
  const info = await stat(real).catch(notFound);
  if (!info.isFile()) throw new NotARegularFileError(path, info.isDirectory() ? 'directory' : 'special file');
  // No symlink swapped in since the check is followed, and a FIFO swapped in does not block the open.
  const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
    notFound,
  );
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) throw new NotARegularFileError(path, 'special file');
    if (opened.size > MAX_SKILL_FILE_BYTES) {
      throw new UserError(
        'file_too_large',
        `${path} of skill ${skill.name} is ${opened.size} bytes; read_skill_file reads files up to ${MAX_SKILL_FILE_BYTES}`,
      );
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
