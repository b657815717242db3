import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../src/store/sqlite/migrations.js';

const tables = (db: Database.Database) =>
  db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();

describe('SQLite migrations', () => {
  it('apply every pending migration once, and nothing on a second open', () => {
    const db = new Database(':memory:');
    const migrations = [
      { version: 1, name: 'a', sql: 'CREATE TABLE a (x)' },
      { version: 2, name: 'b', sql: 'CREATE TABLE b (x)' },
      { version: 3, name: 'c', sql: 'CREATE TABLE c (x)' },
    ];
    const applied = migrate(db, migrations);
    expect(applied).toEqual([1, 2, 3]);
    expect(tables(db)).toEqual(['a', 'b', 'c', 'schema_migrations']);
    // Nothing is left to do on a second open.
    expect(migrate(db, migrations)).toEqual([]);
    db.close();
  });

  it('leave a new file as it was when one of them fails, and apply the rest on top of an older file', () => {
    const db = new Database(':memory:');
    const failing = [
      { version: 1, name: 'a', sql: 'CREATE TABLE a (x)' },
      { version: 2, name: 'broken', sql: 'CREATE TABLE a (x)' },
    ];
    expect(() => migrate(db, failing)).toThrow(/already exists/);
    expect(tables(db)).toEqual([]);
    expect(migrate(db, failing.slice(0, 1))).toEqual([1]);
    expect(
      migrate(db, [...failing.slice(0, 1), { version: 2, name: 'b', sql: 'CREATE TABLE b (x)' }]),
    ).toEqual([2]);
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual([
      1, 2,
    ]);
    db.close();
  });
});
