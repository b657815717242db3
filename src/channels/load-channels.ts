import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import type { Environment } from '../core/environment.js';
import { UserError } from '../core/errors.js';
import { importDefaultExport } from '../runtime/agent-loader.js';
import type { Channel } from './channel.js';
import { isChannel } from './channel.js';

const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];
/** A channel's name is its file name and a URL path segment: keep it plain. */
const CHANNEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * Loads `<dir>/<name>.ts|.mts|.js|.mjs`, each exporting a channel made by `defineChannel` by
 * default; the name is the file name (`channels/hook.ts` → `/hooks/hook`). A channel whose
 * verifier needs a variable `env` does not have fails here, before the server listens.
 */
export async function loadChannelsDir(dir: string, env: Environment): Promise<Map<string, Channel>> {
  const absolute = resolve(dir);
  if (!existsSync(absolute) || !statSync(absolute).isDirectory()) {
    throw new UserError('invalid_channel', `channels directory ${dir} does not exist`);
  }
  const channels = new Map<string, Channel>();
  for (const file of readdirSync(absolute).sort()) {
    const extension = extname(file);
    if (!MODULE_EXTENSIONS.includes(extension) || file.endsWith('.d.ts') || file.includes('.test.')) continue;
    const name = basename(file, extension);
    const path = join(absolute, file);
    if (!CHANNEL_NAME.test(name)) {
      throw new UserError('invalid_channel', `${path}: a channel name must be letters, digits, - and _`);
    }
    if (channels.has(name))
      throw new UserError('invalid_channel', `two files in ${dir} define channel ${name}`);
    const channel = await importDefaultExport(path);
    if (!isChannel(channel)) {
      throw new UserError(
        'invalid_channel',
        `the default export of ${path} is not a channel made by defineChannel`,
      );
    }
    for (const variable of channel.verify.requiredEnv ?? []) {
      if (!env[variable]) {
        throw new UserError('invalid_channel', `channel ${name} verifies with ${variable}, which is not set`);
      }
    }
    channels.set(name, channel);
  }
  return channels;
}
