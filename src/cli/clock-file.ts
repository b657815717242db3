import { readFileSync } from 'node:fs';
import { UserError } from '../core/errors.js';

/**
 * The test-only `--clock-file` clock: the time written in the file (epoch ms or an ISO time),
 * read afresh each time, so a test moves the scheduler of separate processes through ticks at
 * its own pace. Never for production: the file is trusted as the time.
 */
export function clockFromFile(path: string): () => number {
  return () => {
    const text = readFileSync(path, 'utf8').trim();
    const time = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
    if (!Number.isFinite(time)) throw new UserError('invalid_config', `--clock-file ${path} holds no time`);
    return time;
  };
}
