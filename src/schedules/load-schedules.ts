import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { UserError } from '../core/errors.js';
import { folderModule, importDefaultExport, loadAgentFile } from '../runtime/agent-loader.js';
import type { Schedule } from './schedule.js';
import { isSchedule } from './schedule.js';

/** A schedule as loaded from its file. */
export interface LoadedSchedule {
  /** `<agent>/<id>`. */
  id: string;
  agent: string;
  schedule: Schedule;
}

const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];
const SCHEDULE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * Loads `<agentsDir>/<folder>/schedules/<id>.ts` of every agent folder; the schedule belongs
 * to the agent its folder's `agent.ts` defines, and its id is `<agent>/<id>`.
 */
export async function loadSchedules(agentsDir: string): Promise<LoadedSchedule[]> {
  const root = resolve(agentsDir);
  const loaded: LoadedSchedule[] = [];
  for (const folder of readdirSync(root).sort()) {
    const dir = join(root, folder, 'schedules');
    if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
    const agentFile = folderModule(join(root, folder));
    if (agentFile === undefined) throw new UserError('invalid_schedule', `${dir} has no agent.ts beside it`);
    const agent = (await loadAgentFile(agentFile)).name;
    for (const file of readdirSync(dir).sort()) {
      const extension = extname(file);
      if (!MODULE_EXTENSIONS.includes(extension) || file.endsWith('.d.ts') || file.includes('.test.'))
        continue;
      const id = basename(file, extension);
      const path = join(dir, file);
      if (!SCHEDULE_ID.test(id))
        throw new UserError('invalid_schedule', `${path}: a schedule id must be letters, digits, - and _`);
      const schedule = await importDefaultExport(path);
      if (!isSchedule(schedule)) {
        throw new UserError(
          'invalid_schedule',
          `the default export of ${path} is not a schedule made by defineSchedule`,
        );
      }
      loaded.push({ id: `${agent}/${id}`, agent, schedule });
    }
  }
  return loaded;
}
