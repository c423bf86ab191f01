import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@veilig/platform-testing';
import { applicationRoleProblems, DatabaseRoleError, prepareDatabase } from './prepare-database.js';

const silent = pino({ level: 'silent' });

async function query<T extends Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('prepareDatabase', () => {
  let database: TestDatabase;
  let dataDir: string;
  let appUrl: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'veilig-db-'));
    appUrl = await prepareDatabase({
      migrationUrl: database.migrationUrl,
      appUrl: undefined,
      appRole: database.appRole,
      dataDir,
      logger: silent,
    });
  });
  afterAll(async () => {
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('[SE-6.1] connects the application as its own role: no superuser, no BYPASSRLS, owner of nothing', async () => {
    const [row] = await query<{ user: string; rolsuper: boolean; rolbypassrls: boolean }>(
      appUrl,
      'SELECT current_user AS user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user',
    );
    expect(row).toEqual({ user: database.appRole, rolsuper: false, rolbypassrls: false });
    expect(await applicationRoleProblems(appUrl)).toEqual([]);
  });

  it('[SE-6.1] gives the application DML on tables the migration role creates, and no DDL', async () => {
    await query(database.migrationUrl, 'CREATE TABLE probe (id int primary key)');
    await query(appUrl, 'INSERT INTO probe VALUES (1)');
    expect(await query(appUrl, 'SELECT id FROM probe')).toEqual([{ id: 1 }]);
    await expect(query(appUrl, 'ALTER TABLE probe DISABLE ROW LEVEL SECURITY')).rejects.toThrow(/must be owner/);
    await expect(query(appUrl, 'DROP TABLE probe')).rejects.toThrow(/must be owner/);
    await expect(query(appUrl, 'CREATE TABLE sneaky (id int)')).rejects.toThrow(/permission denied for schema public/);
    await query(database.migrationUrl, 'DROP TABLE probe');
  });

  it('is idempotent, and safe when several replicas migrate at once', async () => {
    const runs = await Promise.all(
      [1, 2, 3].map(() =>
        prepareDatabase({ migrationUrl: database.migrationUrl, appUrl: undefined, appRole: database.appRole, dataDir, logger: silent }),
      ),
    );
    expect(new Set(runs)).toEqual(new Set([appUrl]));
    const applied = await query<{ count: string }>(database.migrationUrl, 'SELECT count(*) FROM schema_migrations');
    expect(Number(applied[0]!.count)).toBe(1);
  });

  it('[SE-6.1] refuses to run the application as a role that could bypass row-level security', async () => {
    await expect(
      prepareDatabase({ migrationUrl: database.migrationUrl, appUrl: database.migrationUrl, appRole: database.appRole, dataDir, logger: silent }),
    ).rejects.toThrow(DatabaseRoleError);
    const problems = await applicationRoleProblems(database.migrationUrl);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/is a superuser/), expect.stringMatching(/owns/)]));
  });
});
