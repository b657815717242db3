import type { ErrorCodeEntry } from './error-code-entry.js';

/** The CLI's configuration (docs/configuration.md). */
export const CONFIG_ERROR_CODES = {
  invalid_config: { domain: 'config', status: 400, description: 'a BATON_* variable with an unusable value' },
  usage_error: {
    domain: 'config',
    status: 400,
    description:
      'a command line the CLI cannot parse (a missing argument, an unknown flag or an unusable value)',
  },
  invalid_lease_ttl: {
    domain: 'config',
    status: 400,
    description: 'a lease TTL that is not an integer number of ms >= 100',
  },
  invalid_prices: {
    domain: 'config',
    status: 400,
    description: 'the BATON_PRICES file is missing or malformed',
  },
  missing_secret: {
    domain: 'config',
    status: 400,
    description: 'the --auth mode needs a variable that is not set',
  },
  invalid_allowed_host: {
    domain: 'config',
    status: 400,
    description: 'an --allowed-host that is not a host name',
  },
  invalid_cors_origin: {
    domain: 'config',
    status: 400,
    description: 'a --cors-origin that is not an origin',
  },
  invalid_runner_token: {
    domain: 'config',
    status: 400,
    description:
      'a --runner-token that is empty or names an invalid pool (`pool=token`, or one token for pool default)',
  },
  invalid_secrets_file: {
    domain: 'config',
    status: 400,
    description: 'the --secrets-file of baton serve cannot be read or is not JSON of secret names and values',
  },
  listen_failed: {
    domain: 'config',
    status: 400,
    description: 'the server cannot listen on the host and port',
  },
} as const satisfies Record<string, ErrorCodeEntry>;
