import { AUTH_MODES, type AuthMode } from '../../server/auth.js';
import { allowedHost, directory, integerAtLeast, oneOf, origin, port, text } from '../parsers.js';
import { setting } from '../setting.js';

/** The HTTP server. */
export const SERVER_SETTINGS = {
  port: setting({
    flag: { syntax: '--port <port>', commands: ['serve'] },
    description: 'port to listen on; 0 picks a free one',
    default: 7070,
    parse: port,
  }),
  host: setting<string>({
    flag: { syntax: '--host <host>', commands: ['serve'] },
    description: 'interface to bind',
    defaultText: '127.0.0.1',
    parse: text,
  }),
  auth: setting<AuthMode>({
    flag: { syntax: '--auth <mode>', commands: ['serve'] },
    description:
      'how callers authenticate: bearer takes BATON_API_TOKEN, basic BATON_BASIC_USER and BATON_BASIC_PASSWORD',
    default: 'none',
    choices: AUTH_MODES,
    parse: oneOf(AUTH_MODES),
  }),
  apiToken: setting<string>({
    env: 'BATON_API_TOKEN',
    description: 'the token callers send as Authorization: Bearer <token> under --auth bearer',
    defaultText: 'none (required by --auth bearer)',
    parse: text,
    secret: true,
  }),
  adminToken: setting<string>({
    env: 'BATON_ADMIN_TOKEN',
    description:
      'a second bearer token, under --auth bearer or basic, whose caller may decide the approvals and answer the questions of any session',
    defaultText: 'none (only the initiator of a session decides)',
    parse: text,
    secret: true,
  }),
  basicUser: setting<string>({
    env: 'BATON_BASIC_USER',
    description: 'the user name of --auth basic',
    defaultText: 'none (required by --auth basic)',
    parse: text,
  }),
  basicPassword: setting<string>({
    env: 'BATON_BASIC_PASSWORD',
    description: 'the password of --auth basic',
    defaultText: 'none (required by --auth basic)',
    parse: text,
    secret: true,
  }),
  bodyLimit: setting<number>({
    flag: { syntax: '--body-limit <bytes>', commands: ['serve'] },
    description: 'largest accepted request body',
    defaultText: '1 MiB',
    parse: integerAtLeast(1),
  }),
  allowedHost: setting({
    flag: { syntax: '--allowed-host <host>', commands: ['serve'], repeatable: true },
    description: 'also answer requests whose Host is this name, or name:port (repeatable)',
    default: [] as string[],
    parse: allowedHost,
  }),
  corsOrigin: setting({
    flag: { syntax: '--cors-origin <origin>', commands: ['serve'], repeatable: true },
    description: 'let web pages of this origin call the API, e.g. https://app.example (repeatable)',
    default: [] as string[],
    parse: origin,
  }),
  repoRoot: setting({
    flag: { syntax: '--repo-root <dir>', commands: ['serve', 'mcp'], repeatable: true },
    description: 'delegated coding tasks may only name repositories under this directory (repeatable)',
    defaultText: 'the working directory',
    default: [] as string[],
    parse: directory,
  }),
};
