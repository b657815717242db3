import { nonNegativeNumber, oneOf, text } from '../parsers.js';
import { setting } from '../setting.js';

/** Hand-offs: `baton handoff` and the plane's secrets (`baton serve`). */
export const HANDOFF_SETTINGS = {
  dryRun: setting({
    flag: { syntax: '--dry-run', commands: ['handoff'] },
    description: 'print the disclosure report (what would move, what stays, the decision) and upload nothing',
    default: false,
  }),
  wait: setting({
    flag: { syntax: '--wait', commands: ['handoff'] },
    description: 'wait for the run to finish (and pull with --pull)',
    default: false,
  }),
  pull: setting<'auto' | 'branch'>({
    flag: { syntax: '--pull <mode>', commands: ['handoff'] },
    description: 'with --wait: pull the result back, auto (in place when the tree is unchanged) or branch',
    choices: ['auto', 'branch'],
    parse: oneOf(['auto', 'branch'] as const),
  }),
  secret: setting({
    flag: { syntax: '--secret <name>', commands: ['handoff'], repeatable: true },
    description: 'ask the plane to release this secret (by name) into the sandbox (repeatable)',
    default: [] as string[],
    parse: text,
  }),
  budgetUsd: setting<number>({
    flag: { syntax: '--budget-usd <usd>', commands: ['handoff'] },
    description: 'the most the hand-off may spend, in USD',
    parse: nonNegativeNumber,
  }),
  secretsFile: setting<string>({
    flag: { syntax: '--secrets-file <file>', commands: ['serve'] },
    env: 'BATON_SECRETS_FILE',
    description:
      'hand-off secrets the plane may release: JSON { "NAME": "value" } or { "NAME": { "value": "...", "pools": ["gpu"] } }',
    parse: text,
  }),
  poolAgents: setting({
    flag: { syntax: '--pool-agents <pool=agents>', commands: ['serve'], repeatable: true },
    description:
      'the Baton agents a pool may be handed off to, pool=name,name or pool=* (repeatable); a pool with none takes no hand-off to a Baton agent (its tools run on the runner, outside the sandbox)',
    defaultText: 'none: exec and vendor hand-offs only',
    default: [] as string[],
    parse: text,
  }),
  secretEnv: setting({
    flag: { syntax: '--secret-env <name>', commands: ['serve'], repeatable: true },
    description:
      "a hand-off secret the plane may release to any pool, read from the plane's environment (repeatable)",
    default: [] as string[],
    parse: text,
  }),
};
