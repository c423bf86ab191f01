import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Failed sign-ins and locks, in the database so lockouts and rate limits hold across replicas. */
export class LoginThrottle1764200000000 implements MigrationInterface {
  readonly name = 'LoginThrottle1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE login_failures (key text NOT NULL, failed_at timestamptz NOT NULL)');
    await queryRunner.query('CREATE INDEX login_failures_key_time ON login_failures (key, failed_at)');
    await queryRunner.query('CREATE TABLE login_locks (key text PRIMARY KEY, locked_until timestamptz NOT NULL)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE login_locks');
    await queryRunner.query('DROP TABLE login_failures');
  }
}
