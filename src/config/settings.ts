import { GOVERNED_SETTINGS } from './settings/governed.js';
import { HANDOFF_SETTINGS } from './settings/handoff.js';
import { OBSERVABILITY_SETTINGS } from './settings/observability.js';
import { OUTPUT_SETTINGS } from './settings/output.js';
import { PROOF_SETTINGS } from './settings/proof.js';
import { READING_SETTINGS } from './settings/reading.js';
import { RUN_COMMAND_SETTINGS } from './settings/run-command.js';
import { RUNS_SETTINGS } from './settings/runs.js';
import { SERVER_SETTINGS } from './settings/server.js';
import { STORE_SETTINGS } from './settings/store.js';
import { WORKERS_SETTINGS } from './settings/workers.js';

/**
 * Every `BATON_*` variable and every flag of the `baton` CLI, with its default and what it
 * decides: the one table the CLI's options, {@link loadConfig} and docs/configuration.md
 * (`npm run docs:config`) are made from. Keys are the flags' names in camel case.
 */
export const SETTINGS = {
  ...STORE_SETTINGS,
  ...RUNS_SETTINGS,
  ...OUTPUT_SETTINGS,
  ...OBSERVABILITY_SETTINGS,
  ...WORKERS_SETTINGS,
  ...SERVER_SETTINGS,
  ...RUN_COMMAND_SETTINGS,
  ...GOVERNED_SETTINGS,
  ...READING_SETTINGS,
  ...PROOF_SETTINGS,
  ...HANDOFF_SETTINGS,
} as const;

/** The name of one of {@link SETTINGS}. */
export type SettingName = keyof typeof SETTINGS;
