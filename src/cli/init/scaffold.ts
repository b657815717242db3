import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../core/errors.js';
import { projectFiles } from './templates.js';

/** `baton init` was pointed at a directory that holds something already, without `--force`. */
export class InitDirectoryNotEmptyError extends UserError {
  constructor(dir: string) {
    super(
      'directory_not_empty',
      `${dir} is not empty; baton init writes a new project into an empty directory (or pass --force to write over the files it writes)`,
    );
  }
}

/** What {@link scaffoldProject} wrote. */
export interface ScaffoldResult {
  /** The project's absolute path. */
  dir: string;
  /** The files written, relative to `dir`, in order. */
  files: string[];
  /** The dependency spec of baton-runtime written into package.json. */
  batonSpec: string;
}

/** This package's root: `src/` and `dist/` both sit one level below it, and this file two below them. */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * Writes a working project into `dir` (created when missing): an agent with a skill and a
 * schedule, a channel stub, a package.json and a README. A directory that holds anything is
 * refused ({@link InitDirectoryNotEmptyError}) unless `force`, which replaces only the files it
 * writes. baton-runtime is depended on as `file:<this install's root>` until it is published.
 */
export function scaffoldProject(dir: string, options: { force?: boolean } = {}): ScaffoldResult {
  const absolute = resolve(dir);
  if (existsSync(absolute)) {
    if (!statSync(absolute).isDirectory()) throw new InitDirectoryNotEmptyError(dir);
    if (readdirSync(absolute).length > 0 && options.force !== true) throw new InitDirectoryNotEmptyError(dir);
  }
  const batonSpec = `file:${PACKAGE_ROOT}`;
  const files = projectFiles({ name: packageName(absolute), batonSpec, zodSpec: zodRange() });
  for (const [path, text] of Object.entries(files)) {
    const target = join(absolute, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
  return { dir: absolute, files: Object.keys(files), batonSpec };
}

/** An npm package name from the folder's name: lowercase, URL-safe characters only. */
function packageName(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+/, '');
  return name === '' ? 'baton-project' : name.slice(0, 214);
}

/** The zod range this Baton accepts (its peer dependency), so the project installs a matching one. */
function zodRange(): string {
  const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    peerDependencies?: { zod?: unknown };
  };
  const range = manifest.peerDependencies?.zod;
  return typeof range === 'string' ? range : '^4.0.0';
}
