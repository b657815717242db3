import type { Dirent } from 'node:fs';
import { existsSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Environment } from '../../core/environment.js';
import { ValidationError } from '../../core/errors.js';
import { type HiddenPaths, isInside, isInsideAny } from './hidden-paths.js';

/**
 * The system directories every sandbox sees read-only (those that exist; `/bin` and friends
 * may be symlinks into `/usr`, which the view recreates as symlinks).
 */
export const SYSTEM_READ_PATHS: readonly string[] = [
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/etc',
];

const MAX_ENTRIES_PER_PATH_DIR = 5000;

/**
 * The directories of an installation prefix that a toolchain runs from (nvm's `lib/node_modules`,
 * pyenv's `versions` and `libexec`...). Only these are shown, never the prefix itself: beside a
 * `bin/` there may be a project's `.env` or `~/.cargo/credentials.toml`.
 */
const TOOLCHAIN_DIRS = [
  'bin',
  'sbin',
  'lib',
  'lib64',
  'libexec',
  'share',
  'include',
  'shims',
  'versions',
  'plugins',
];

/** What a sandbox may read besides the workspace, and variables that help the tools find themselves. */
export interface ReadablePaths {
  paths: string[];
  env: Record<string, string>;
}

/**
 * The readable view: the system directories, the directories on the host's PATH and the
 * installations they point into (by real path), `--read` paths, and (for the egress relay) Node itself.
 * Nothing inside a hard-hidden path is readable; of an installation prefix only its toolchain
 * directories are shown (PATH's `~/.cargo/bin` shows `~/.cargo/bin`, not `~/.cargo`, and never HOME).
 */
export async function readablePaths(
  read: readonly string[],
  hidden: HiddenPaths,
  needsNode: boolean,
  hostEnv: Environment,
): Promise<ReadablePaths> {
  const env: Record<string, string> = {};
  const found = new Set(SYSTEM_READ_PATHS.filter((path) => existsSync(path)));
  const allHidden = [...hidden.soft, ...hidden.hard];
  // Hundreds of PATH links point into a few directories (`/usr/bin/x` -> `/etc/alternatives/x`
  // -> `/usr/lib/...`): each directory, and each real path, is looked at once.
  const looked = new Set<string>();
  const addInstallation = async (dir: string): Promise<void> => {
    if (looked.has(dir)) return;
    looked.add(dir);
    // A PATH entry that does not resolve (gone, unreadable) adds nothing to the view.
    const real = await realpath(dir).catch(() => undefined);
    if (real === undefined || real === '/' || (real !== dir && looked.has(real))) return;
    looked.add(real);
    found.add(real);
    const prefix = installationPrefix(real);
    if (prefix !== undefined) {
      for (const dir of await toolchainDirs(prefix)) {
        if (!allHidden.some((path) => isInside(path, dir))) found.add(dir);
      }
    }
    // rustup keeps its toolchains beside `~/.cargo`, outside PATH.
    if (real.endsWith('/.cargo/bin')) {
      const rustup = join(dirname(dirname(real)), '.rustup');
      if (existsSync(rustup)) {
        found.add(rustup);
        env.CARGO_HOME = dirname(real);
        env.RUSTUP_HOME = rustup;
      }
    }
  };
  for (const dir of (hostEnv.PATH ?? '').split(':')) {
    if (!isAbsolute(dir)) continue;
    await addInstallation(dir);
    for (const target of await symlinkTargets(dir)) await addInstallation(dirname(target));
  }
  if (needsNode) await addInstallation(dirname(process.execPath));
  for (const path of read) {
    const real = await realpath(resolve(path)).catch(() => {
      throw new ValidationError(`--read path ${path} does not exist`, 'read');
    });
    const inside = hidden.hard.find((hiddenPath) => isInside(real, hiddenPath));
    if (inside !== undefined) {
      throw new ValidationError(`--read path ${path} lies inside the hidden path ${inside}`, 'read');
    }
    found.add(real);
  }
  const kept = [...found].filter(
    (path) => !isInsideAny(path, hidden.hard) || SYSTEM_READ_PATHS.includes(path),
  );
  return { paths: withoutCovered(kept, allHidden).sort(), env };
}

/**
 * Drops paths another readable path already shows: those inside it with no hidden path in
 * between (a toolchain under a hidden HOME inside a readable `/` must stay, to be shown again).
 */
function withoutCovered(paths: readonly string[], hidden: readonly string[]): string[] {
  return paths.filter(
    (path) =>
      !paths.some(
        (other) =>
          other !== path &&
          isInside(path, other) &&
          !hidden.some((hiddenPath) => isInside(hiddenPath, other) && isInside(path, hiddenPath)),
      ),
  );
}

/** `/opt/tool` for `/opt/tool/bin` (also `sbin` and pyenv's `shims`); undefined when there is none. */
function installationPrefix(dir: string): string | undefined {
  if (!['bin', 'sbin', 'shims'].includes(basename(dir))) return undefined;
  const prefix = dirname(dir);
  return prefix === '/' ? undefined : prefix;
}

/** Real paths of the {@link TOOLCHAIN_DIRS} an installation prefix has. */
async function toolchainDirs(prefix: string): Promise<string[]> {
  const dirs: string[] = [];
  for (const name of TOOLCHAIN_DIRS) {
    // A missing or unreadable directory is nothing the toolchain has.
    const real = await realpath(join(prefix, name)).catch(() => undefined);
    if (real !== undefined && (await stat(real).catch(() => undefined))?.isDirectory()) dirs.push(real);
  }
  return dirs;
}

/** Real paths of what the symlinks in a PATH directory point at (nvm's `npm` -> `../lib/node_modules/...`). */
async function symlinkTargets(dir: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    // An unreadable PATH directory has no links to follow.
    return [];
  }
  const targets: string[] = [];
  for (const entry of entries.slice(0, MAX_ENTRIES_PER_PATH_DIR)) {
    if (!entry.isSymbolicLink()) continue;
    // A dangling link points at nothing the view needs.
    const target = await realpath(join(dir, entry.name)).catch(() => undefined);
    if (target !== undefined) targets.push(target);
  }
  return targets;
}
