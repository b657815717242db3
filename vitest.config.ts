import { createConnection } from 'node:net';
import { defineConfig } from 'vitest/config';

/** Test files that need the PostgreSQL server (`BATON_TEST_PG_URL`, default 127.0.0.1:5432). */
const POSTGRES_TESTS = ['test/postgres-*.test.ts', 'test/scale-*.test.ts', 'test/http-postgres.test.ts'];

/** True when something accepts connections on the test Postgres server's port. */
function postgresReachable(): Promise<boolean> {
  const url = new URL(process.env.BATON_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  return new Promise((resolve) => {
    const socket = createConnection({ host: url.hostname, port: Number(url.port || 5432), timeout: 1_000 });
    const done = (reachable: boolean) => {
      socket.destroy();
      resolve(reachable);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

export default defineConfig(async () => {
  // CI guarantees a Postgres server (.ci/run starts one) and must fail without it; a developer
  // machine without one still runs everything else, and is told what was left out.
  const skipPostgres = !process.env.CI && !(await postgresReachable());
  if (skipPostgres) {
    process.stderr.write(
      'No PostgreSQL server reachable: skipping the Postgres test files (CI runs them).\n',
    );
    process.env.BATON_TEST_NO_POSTGRES = '1';
  }
  return {
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      exclude: ['**/node_modules/**', ...(skipPostgres ? POSTGRES_TESTS : [])],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      pool: 'forks',
      // Most test time is waiting on child processes, sockets and SQLite/Postgres commits, not
      // CPU: two forks keep both cores of a CI machine busy (vitest's default is cores - 1).
      maxWorkers: 2,
      minWorkers: 1,
    },
  };
});
