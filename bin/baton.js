#!/usr/bin/env node
// The CLI entry point. It runs the built CLI from `dist/` when that build is at least as new
// as every source file, and otherwise the TypeScript sources through tsx, so `npx baton` works
// right after `npm install` and never runs a stale build in a checkout being edited.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const built = join(root, 'dist', 'cli', 'main.js');
const sources = join(root, 'src');

/** Newest modification time of any file under `directory`. */
function newestMtime(directory) {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const buildIsFresh =
  existsSync(built) && (!existsSync(sources) || statSync(built).mtimeMs >= newestMtime(sources));
if (buildIsFresh) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(sources, 'cli', 'main.ts')).href);
}
