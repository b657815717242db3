import { DEFAULT_DB_PATH } from '../../store/open-store.js';
import type { SqliteSynchronous } from '../../store/sqlite/sqlite-connection.js';
import { integerAtLeast, oneOf, text } from '../parsers.js';
import { setting } from '../setting.js';
import { STORE_COMMANDS } from './command-groups.js';

/** The store and the Baton home. */
export const STORE_SETTINGS = {
  db: setting({
    env: 'BATON_DB',
    // Every command but init opens the store (`verify` only when given --db).
    flag: { syntax: '--db <path>', commands: STORE_COMMANDS },
    description: 'the store: a SQLite file, a postgres:// URL, or :memory:',
    default: DEFAULT_DB_PATH,
    parse: text,
  }),
  home: setting<string>({
    env: 'BATON_HOME',
    description: 'the Baton home, which holds the signing keys (keys/) and is hidden from sandboxes',
    defaultText: 'the directory of a SQLite --db, else .baton',
    parse: text,
  }),
  sqliteSynchronous: setting<SqliteSynchronous>({
    env: 'BATON_SQLITE_SYNCHRONOUS',
    description: 'how a SQLite store commits: FULL survives power loss, NORMAL (WAL) only process crashes',
    default: 'NORMAL',
    choices: ['NORMAL', 'FULL'],
    parse: oneOf(['NORMAL', 'FULL'] as const),
    errorCode: 'invalid_option',
  }),
  pgPoolSize: setting({
    env: 'BATON_PG_POOL_SIZE',
    description: "connections in each process's Postgres pool (the LISTEN connection is extra)",
    default: 10,
    parse: integerAtLeast(1, 1000),
    errorCode: 'db_url_invalid',
  }),
};
