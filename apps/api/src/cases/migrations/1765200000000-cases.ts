import { enableTenantRowLevelSecurity } from '@veilig/tenancy';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The example domain table: a tenant-owned table made the one correct way (docs/tenancy.md):
 * tenant_id, then enableTenantRowLevelSecurity in the same migration. Personal data sits in
 * columns of their own, so a query can leave them out, and the assignee is not a foreign key to
 * users because in dedicated mode (SE-6.2) the cases live in a database of their own.
 */
export class Cases1765200000000 implements MigrationInterface {
  readonly name = 'Cases1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE cases (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
        category text NOT NULL CHECK (length(category) BETWEEN 1 AND 100),
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        team text CHECK (length(team) <= 200),
        assignee_id uuid,
        citizen_name text NOT NULL CHECK (length(citizen_name) BETWEEN 1 AND 200),
        citizen_bsn text CHECK (citizen_bsn ~ '^[0-9]{9}$'),
        citizen_address text CHECK (length(citizen_address) <= 500),
        description text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
        resolution text CHECK (length(resolution) <= 2000),
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz
      )`);
    await enableTenantRowLevelSecurity(queryRunner, 'cases');
    await queryRunner.query('CREATE INDEX cases_tenant_created ON cases (tenant_id, created_at DESC, id DESC)');
    await queryRunner.query('CREATE INDEX cases_tenant_assignee ON cases (tenant_id, assignee_id)');
    await queryRunner.query('CREATE INDEX cases_tenant_team ON cases (tenant_id, team)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE cases');
  }
}
