import type { ClaimFilter } from '../claim-filter.js';
import { claimPairs } from '../claim-filter.js';
import { decodeCursor } from '../page-cursor.js';

/** A SELECT's WHERE clause and parameters, built from optional filters. */
export class ListQuery {
  readonly #conditions: string[] = [];
  readonly #parameters: unknown[] = [];

  /** Adds `column = value` when the value is given. */
  equals(column: string, value: string | undefined): this {
    if (value !== undefined) {
      this.#conditions.push(`${column} = ?`);
      this.#parameters.push(value);
    }
    return this;
  }

  /** Adds `column >= value` when the value is given. */
  atLeast(column: string, value: string | undefined): this {
    if (value !== undefined) {
      this.#conditions.push(`${column} >= ?`);
      this.#parameters.push(value);
    }
    return this;
  }

  /** Adds `column IN (...)` when values are given; an empty list matches nothing. */
  oneOf(column: string, values: readonly string[] | undefined): this {
    if (values !== undefined) {
      this.#conditions.push(values.length === 0 ? '0' : `${column} IN (${values.map(() => '?').join(', ')})`);
      this.#parameters.push(...values);
    }
    return this;
  }

  /** Adds a condition as written, with its parameters. */
  where(condition: string, ...parameters: unknown[]): this {
    this.#conditions.push(condition);
    this.#parameters.push(...parameters);
    return this;
  }

  /** Restricts runs to those a claim filter matches (see `matchesClaimFilter`), when one is given. */
  matching(filter: ClaimFilter | undefined): this {
    if (filter === undefined) return this;
    const { pool, kinds, pairs, agentKinds, kindAgentPairs } = claimPairs(filter);
    return this.where(
      `(pool IS ? AND (kind IN (SELECT value FROM json_each(?))
        OR EXISTS (SELECT 1 FROM json_each(?) AS served
          WHERE served.value ->> 0 = runs.kind AND served.value ->> 1 = runs.agent)
        OR ((? IS NULL OR kind IN (SELECT value FROM json_each(?)))
        AND EXISTS (SELECT 1 FROM json_each(?) AS served
        WHERE served.value ->> 0 = runs.agent AND (served.value ->> 1 IS NULL OR served.value ->> 1 = runs.agent_module)))))`,
      pool,
      JSON.stringify(kinds),
      JSON.stringify(kindAgentPairs),
      agentKinds === null ? null : 1,
      JSON.stringify(agentKinds ?? []),
      JSON.stringify(pairs),
    );
  }

  /** Restricts to rows older than an opaque page cursor. */
  before(cursor: string | undefined): this {
    if (cursor !== undefined) {
      this.#conditions.push('pos < ?');
      this.#parameters.push(decodeCursor(cursor));
    }
    return this;
  }

  /** `SELECT * FROM table WHERE ... ORDER BY pos DESC LIMIT ?` and its parameters; `fetch` is already validated. */
  newestFirst(table: string, fetch: number): { sql: string; parameters: unknown[] } {
    return this.#select(table, 'DESC', fetch);
  }

  /** The same, oldest first. */
  oldestFirst(table: string, fetch: number): { sql: string; parameters: unknown[] } {
    return this.#select(table, 'ASC', fetch);
  }

  #select(table: string, order: 'ASC' | 'DESC', fetch: number): { sql: string; parameters: unknown[] } {
    const where = this.#conditions.length === 0 ? '' : ` WHERE ${this.#conditions.join(' AND ')}`;
    return {
      sql: `SELECT * FROM ${table}${where} ORDER BY pos ${order} LIMIT ?`,
      parameters: [...this.#parameters, fetch],
    };
  }
}
