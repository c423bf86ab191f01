import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APPLICATION_GROUP_ROLE } from '../roles.js';

/**
 * The application connects as a login role that is a member of one group role. Every table the
 * migration role creates grants DML (never DDL, never ownership) to that group, so the
 * application can never alter, drop or bypass row-level security on what it uses.
 */
export class ApplicationRole1764000000000 implements MigrationInterface {
  readonly name = 'ApplicationRole1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Roles are cluster-wide; another database on the same server may have created it already.
    await queryRunner.query(`
      DO $$ BEGIN
        CREATE ROLE ${APPLICATION_GROUP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    await queryRunner.query('REVOKE ALL ON SCHEMA public FROM PUBLIC');
    await queryRunner.query(`GRANT USAGE ON SCHEMA public TO ${APPLICATION_GROUP_ROLE}`);
    await queryRunner.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APPLICATION_GROUP_ROLE}`,
    );
    await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${APPLICATION_GROUP_ROLE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM ${APPLICATION_GROUP_ROLE}`);
    await queryRunner.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM ${APPLICATION_GROUP_ROLE}`,
    );
    await queryRunner.query(`REVOKE USAGE ON SCHEMA public FROM ${APPLICATION_GROUP_ROLE}`);
  }
}
