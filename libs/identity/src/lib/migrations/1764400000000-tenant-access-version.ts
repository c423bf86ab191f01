import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A counter per tenant that whatever decides authorization (the role tables of @veilig/access)
 * raises on every change. The session lookup returns it with the session, so a replica can keep
 * a user's permissions in memory and still notice, on the very next request, that another
 * replica changed them.
 */
export class TenantAccessVersion1764400000000 implements MigrationInterface {
  readonly name = 'TenantAccessVersion1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE tenants ADD COLUMN access_version bigint NOT NULL DEFAULT 0');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE tenants DROP COLUMN access_version');
  }
}
