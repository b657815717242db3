import type { Queryable } from './connection.js';

/** Sets a mark; true when this statement inserted it. */
export async function putMark(db: Queryable, scope: string, key: string): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO marks (scope, key, created_at) VALUES ($1, $2, now()) ON CONFLICT DO NOTHING`,
    [scope, key],
  );
  return result.rowCount === 1;
}

/** Removes a mark. */
export async function deleteMark(db: Queryable, scope: string, key: string): Promise<void> {
  await db.query('DELETE FROM marks WHERE scope = $1 AND key = $2', [scope, key]);
}

/** The keys of a scope, sorted. */
export async function listMarks(db: Queryable, scope: string): Promise<string[]> {
  const result = await db.query<{ key: string }>(
    'SELECT key FROM marks WHERE scope = $1 ORDER BY key COLLATE "C"',
    [scope],
  );
  return result.rows.map((row) => row.key);
}
