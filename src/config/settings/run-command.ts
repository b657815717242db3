import { text } from '../parsers.js';
import { setting } from '../setting.js';

/** `baton run`. */
export const RUN_COMMAND_SETTINGS = {
  detach: setting({
    flag: { syntax: '--detach', commands: ['run'] },
    description: 'only enqueue the run; print {"sessionId","runId"} and exit',
    default: false,
  }),
  workspace: setting<string>({
    flag: { syntax: '--workspace <dir>', commands: ['run'] },
    description:
      'work on a sandboxed copy of this git workspace with the workspace tools; stores the patch, issues a receipt',
    parse: text,
  }),
};
