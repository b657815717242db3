import type { Command } from 'commander';
import type { Environment } from '../../core/environment.js';
import { addConfigOptions, configured } from '../config-options.js';
import { scaffoldProject } from '../init/scaffold.js';

/** `baton init [dir] [--force]`: write a working project (agent, skill, schedule, channel stub). */
export function registerInit(program: Command, env: Environment): void {
  addConfigOptions(
    program
      .command('init')
      .description(
        'write a new Baton project: an agent with a skill and a schedule, a channel stub, package.json, README',
      )
      .argument('[dir]', 'the project directory (created when missing; must be empty)', '.'),
    'init',
  ).action(
    configured(env, (config, dir: string) => {
      const result = scaffoldProject(dir, { force: config.force });
      for (const file of result.files) process.stdout.write(`  wrote ${file}\n`);
      process.stdout.write(
        `Baton project in ${result.dir} (baton-runtime: ${result.batonSpec}). Next:\n` +
          `  cd ${dir}\n  npm install\n  npx baton run agents/assistant "Hi there"\n  npx baton serve\n`,
      );
    }),
  );
}
