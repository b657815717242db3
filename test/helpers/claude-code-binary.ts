import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The native binary of the platform package, where npm installed it and it runs here. */
export function claudeBinary(): { path: string } | { skip: string } {
  const platform = `@anthropic-ai/claude-code-${process.platform}-${process.arch}`;
  let path: string;
  try {
    path = join(dirname(createRequire(import.meta.url).resolve(`${platform}/package.json`)), 'claude');
    statSync(path);
  } catch {
    // Not installed (another platform, or --omit=optional): the test says so and skips.
    return { skip: `${platform} is not installed` };
  }
  const version = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return version.status === 0 ? { path } : { skip: `${path} --version failed: ${version.stderr}` };
}

/** Every regular file under `dir`. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}
