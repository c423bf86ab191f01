import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAppDataSource, prepareDatabase } from '@veilig/platform-database';
import { createTestDatabase, type TestDatabase } from '@veilig/platform-testing';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tenantIsolationProblems } from './catalog.js';
import { enableTenantRowLevelSecurity, TenantTableError } from './rls-migration.js';
import { ExampleTenantTables1765000000000 } from './testing/example-tenant-tables.js';

const TENANT_ROW = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid";

describe('tenant isolation catalog check', () => {
  let database: TestDatabase;
  let dataDir: string;
  let app: DataSource;
  let owner: DataSource;
  const created: string[] = [];

  /** DDL as the migration role; the object it makes (such as `TABLE a_loose`) is dropped after the test. */
  async function given(kind: 'TABLE' | 'VIEW' | 'MATERIALIZED VIEW', name: string, ...statements: string[]): Promise<void> {
    created.push(`${kind} IF EXISTS ${name}`);
    for (const statement of statements) await owner.query(statement);
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'veilig-catalog-'));
    const appUrl = await prepareDatabase({
      migrationUrl: database.migrationUrl,
      appUrl: undefined,
      appRole: database.appRole,
      dataDir,
      migrations: [ExampleTenantTables1765000000000],
      logger: pino({ level: 'silent' }),
    });
    app = await openAppDataSource({ url: appUrl });
    owner = await openAppDataSource({ url: database.migrationUrl });
  });
  afterEach(async () => {
    const objects = created.splice(0).reverse();
    for (const object of objects) await owner.query(`DROP ${object} CASCADE`);
  });
  afterAll(async () => {
    await app?.destroy();
    await owner?.destroy();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('[SE-6.2] finds nothing wrong with tables made tenant-owned by enableTenantRowLevelSecurity', async () => {
    await given('TABLE', 'narrowed', 'CREATE TABLE narrowed (id int, tenant_id uuid)');
    await owner.transaction((manager) => enableTenantRowLevelSecurity(manager.queryRunner!, 'narrowed'));
    // A restrictive policy only narrows what the permissive ones admit, so it may test anything.
    await owner.query("CREATE POLICY business_hours ON narrowed AS RESTRICTIVE FOR SELECT USING (extract(hour FROM now()) >= 0)");
    expect(await tenantIsolationProblems(app)).toEqual([]);
  });

  it('[SE-6.2] reports a tenant table without row-level security, without FORCE, or without a tenant policy for every command', async () => {
    await given('TABLE', 'a_loose', 'CREATE TABLE a_loose (id int, tenant_id uuid)');
    await given(
      'TABLE',
      'b_unforced',
      'CREATE TABLE b_unforced (id int, tenant_id uuid)',
      'ALTER TABLE b_unforced ENABLE ROW LEVEL SECURITY',
      `CREATE POLICY every_command ON b_unforced USING (${TENANT_ROW})`,
    );
    await given(
      'TABLE',
      'c_partial',
      'CREATE TABLE c_partial (id int, tenant_id uuid)',
      'ALTER TABLE c_partial ENABLE ROW LEVEL SECURITY',
      'ALTER TABLE c_partial FORCE ROW LEVEL SECURITY',
      `CREATE POLICY reads ON c_partial FOR SELECT USING (${TENANT_ROW})`,
      `CREATE POLICY writes ON c_partial FOR INSERT WITH CHECK (${TENANT_ROW})`,
      `CREATE POLICY changes ON c_partial FOR UPDATE USING (${TENANT_ROW})`,
    );
    await given(
      'TABLE',
      'd_leaky',
      'CREATE TABLE d_leaky (id int, tenant_id uuid)',
      'ALTER TABLE d_leaky ENABLE ROW LEVEL SECURITY',
      'ALTER TABLE d_leaky FORCE ROW LEVEL SECURITY',
      `CREATE POLICY everyone ON d_leaky USING (current_setting('app.tenant_id', true) IS NOT NULL)`,
      `CREATE POLICY moves ON d_leaky FOR UPDATE USING (${TENANT_ROW}) WITH CHECK (true)`,
    );
    expect(await tenantIsolationProblems(app)).toEqual([
      'public.a_loose: row-level security is not enabled',
      'public.a_loose: row-level security is not forced, so the table owner bypasses it',
      'public.a_loose: no policy for SELECT',
      'public.a_loose: no policy for INSERT',
      'public.a_loose: no policy for UPDATE',
      'public.a_loose: no policy for DELETE',
      'public.b_unforced: row-level security is not forced, so the table owner bypasses it',
      'public.c_partial: no policy for DELETE',
      'public.d_leaky: policy everyone (ALL) USING does not compare tenant_id with app.tenant_id',
      'public.d_leaky: policy everyone (ALL) WITH CHECK does not compare tenant_id with app.tenant_id',
      'public.d_leaky: policy moves (UPDATE) WITH CHECK does not compare tenant_id with app.tenant_id',
    ]);
  });

  it('[SE-6.2] reports a foreign key that links tenants, and views that read tenant rows with their owner\'s rights', async () => {
    await given('TABLE', 'linked_notes', 'CREATE TABLE linked_notes (id uuid PRIMARY KEY, tenant_id uuid, note_id uuid REFERENCES notes (id))');
    await owner.transaction((manager) => enableTenantRowLevelSecurity(manager.queryRunner!, 'linked_notes'));
    await given('VIEW', 'all_notes', 'CREATE VIEW all_notes AS SELECT title FROM notes');
    await given('VIEW', 'all_titles', 'CREATE VIEW all_titles WITH (security_invoker = true) AS SELECT title FROM all_notes');
    await given('VIEW', 'own_notes', 'CREATE VIEW own_notes WITH (security_invoker = true) AS SELECT title FROM notes');
    await given('MATERIALIZED VIEW', 'note_counts', 'CREATE MATERIALIZED VIEW note_counts AS SELECT tenant_id, count(*) FROM notes GROUP BY tenant_id');
    expect(await tenantIsolationProblems(app)).toEqual([
      'public.linked_notes: foreign key linked_notes_note_id_fkey to public.notes does not include tenant_id on both sides',
      "public.all_notes: view over tenant rows runs with its owner's rights; create it WITH (security_invoker = true)",
      'public.note_counts: materialized view over tenant rows, which row-level security cannot protect',
    ]);
  });

  it('[SE-6.2] accepts an exemption only with a reason, and only for a table with a tenant_id', async () => {
    await given('TABLE', 'lookups', 'CREATE TABLE lookups (id int, tenant_id uuid)');
    expect(await tenantIsolationProblems(app, { exemptions: [{ table: 'lookups', reason: 'read before the tenant is known' }] })).toEqual([]);
    expect(
      await tenantIsolationProblems(app, {
        exemptions: [
          { table: 'public.lookups', reason: ' ' },
          { table: 'schema_migrations', reason: 'has no tenant_id' },
        ],
      }),
    ).toEqual(['public.lookups: exempted without a reason', 'public.schema_migrations: exempted, but there is no such table with a tenant_id']);
  });

  it('[SE-4.1] reports an application role that could bypass row-level security', async () => {
    expect(await tenantIsolationProblems(owner)).toEqual(
      expect.arrayContaining([expect.stringMatching(/is a superuser/), expect.stringMatching(/has BYPASSRLS/), expect.stringMatching(/owns/)]),
    );
  });

  it('makes a table tenant-owned only when it has a uuid tenant_id', async () => {
    await given('TABLE', 'untenanted', 'CREATE TABLE untenanted (id int, tenant_id text)');
    await expect(owner.transaction((manager) => enableTenantRowLevelSecurity(manager.queryRunner!, 'untenanted'))).rejects.toThrow(TenantTableError);
    await expect(owner.transaction((manager) => enableTenantRowLevelSecurity(manager.queryRunner!, 'no_such_table'))).rejects.toThrow(TenantTableError);
    await expect(owner.transaction((manager) => enableTenantRowLevelSecurity(manager.queryRunner!, 'notes; DROP TABLE notes'))).rejects.toThrow(
      TenantTableError,
    );
  });
});
