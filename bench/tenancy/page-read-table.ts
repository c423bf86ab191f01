import { enableTenantRowLevelSecurity } from '@veilig/tenancy';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';

export const ROWS = 1_000_000;
export const TENANTS = 100;
export const PAGE_SIZE = 20;

/**
 * The page both paths send, word for word. The explicit tenant filter is what a repository
 * writes anyway (the first defence); under row-level security the policy adds its own.
 */
export const PAGE_SQL = `SELECT id, tenant_id, title, created_at FROM bench_notes WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT ${PAGE_SIZE}`;

/** A tenant-owned table made the way a feature migration makes one. */
export class BenchNotes1765100000000 implements MigrationInterface {
  readonly name = 'BenchNotes1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE bench_notes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        title text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await enableTenantRowLevelSecurity(queryRunner, 'bench_notes');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE bench_notes');
  }
}

/**
 * Fills the table in one statement as its owner, a superuser to whom row-level security does
 * not apply, and indexes it afterwards, which is faster than maintaining the index row by row.
 */
export async function populate(owner: DataSource, tenantIds: readonly string[]): Promise<void> {
  await owner.query(
    `INSERT INTO bench_notes (tenant_id, title, created_at)
     SELECT ($1::uuid[])[1 + n % ${TENANTS}], 'note ' || n, timestamptz '2026-01-01 00:00:00Z' + n * interval '1 second'
       FROM generate_series(0, ${ROWS - 1}) n`,
    [tenantIds],
  );
  await owner.query('CREATE INDEX bench_notes_tenant_created ON bench_notes (tenant_id, created_at)');
  await owner.query('VACUUM ANALYZE bench_notes');
}

/** The plan of the page under row-level security, to show that the index serves it there too. */
export async function pagePlan(dataSource: DataSource, tenantId: string): Promise<string> {
  const rows: Array<{ 'QUERY PLAN': string }> = await dataSource.transaction(async (manager) => {
    await manager.query("SELECT set_config('app.tenant_id', $1, true)", [tenantId]);
    return manager.query(`EXPLAIN (COSTS OFF) ${PAGE_SQL}`, [tenantId]);
  });
  return rows.map((row) => row['QUERY PLAN']).join('\n');
}
