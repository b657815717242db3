import { DEFAULT_LEASE_TTL_MS, MIN_LEASE_TTL_MS } from '../../runtime/lease-settings.js';
import { integerAtLeast, text } from '../parsers.js';
import { setting } from '../setting.js';
import { RUNTIME_COMMANDS } from './command-groups.js';

/** Runs and models. */
export const RUNS_SETTINGS = {
  leaseTtl: setting({
    env: 'BATON_LEASE_TTL_MS',
    flag: { syntax: '--lease-ttl <ms>', commands: RUNTIME_COMMANDS },
    description: 'how long a worker holds a run without renewing its lease, in ms (renewed every ttl/3)',
    default: DEFAULT_LEASE_TTL_MS,
    parse: integerAtLeast(MIN_LEASE_TTL_MS),
    errorCode: 'invalid_lease_ttl',
  }),
  builtInModel: setting<string>({
    env: 'BATON_MODEL',
    description:
      'the model (provider:model-id) of the built-in researcher, coder and reviewer agents of delegated tasks, when no agent of that name is loaded',
    defaultText: 'none: such a task fails with no_agent',
    parse: text,
  }),
  prices: setting<string>({
    env: 'BATON_PRICES',
    description:
      'a JSON file of model-id prefixes to { inputPerMillionUsd, outputPerMillionUsd }, extending the built-in price table',
    defaultText: 'the built-in table only',
    parse: text,
    errorCode: 'invalid_prices',
  }),
  tokenSecret: setting<string>({
    env: 'BATON_TOKEN_SECRET',
    description:
      'the secret continuation tokens are derived from; processes serving one store should share it',
    defaultText: 'random per process',
    parse: text,
    secret: true,
  }),
  model: setting<string>({
    flag: { syntax: '--model <name>', commands: ['run'] },
    description: "override the agent's model (provider:model-id)",
    parse: text,
  }),
};
