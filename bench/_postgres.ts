// Postgres helpers for the benches: a statement counter on node-postgres, a database of its own
// for a peer, and the one-INSERT commit floor.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { adminQuery, PG_URL } from '../test/helpers/postgres.js';

let statements = 0;
let counting = false;

/**
 * Counts every statement any node-postgres client in this process sends from now on (Baton's
 * pool, its LISTEN connection, a peer's pool: all are `pg.Client`s). Without
 * pg_stat_statements preloaded on the server, the client side is where statements can be
 * counted per system. It counts queries, each one round trip: node-postgres awaits each before
 * the next, and the few that send several statements in one message (a NOTIFY, Baton's queue
 * claim) count once.
 */
export function countStatements(): () => number {
  if (!counting) {
    counting = true;
    const query = pg.Client.prototype.query;
    // A wrapper on the prototype: every overload passes through unchanged.
    pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
      statements += 1;
      return (query as (...values: unknown[]) => unknown).apply(this, args);
    } as typeof query;
  }
  return () => statements;
}

/** A fresh database on the bench server, for a peer that wants one of its own. */
export async function createDatabase(name: string): Promise<string> {
  await adminQuery(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return url.href;
}

/** Drops a database made by {@link createDatabase}, closing what is still connected to it. */
export async function dropDatabase(name: string): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
}

/**
 * Milliseconds per autocommitted one-row INSERT on one connection: one round trip and one WAL
 * flush, the floor a durable Postgres commit is compared against. A real table, since temp
 * tables skip the WAL.
 */
export async function postgresCommitFloor(rounds = 300): Promise<number> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  const table = `baton_bench_floor_${process.pid}`;
  try {
    await client.query(`CREATE TABLE ${table} (n integer)`);
    for (let index = 0; index < 20; index += 1) await client.query(`INSERT INTO ${table} VALUES (0)`);
    const started = performance.now();
    for (let index = 0; index < rounds; index += 1) {
      await client.query(`INSERT INTO ${table} VALUES ($1)`, [index]);
    }
    return (performance.now() - started) / rounds;
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${table}`);
    await client.end();
  }
}
