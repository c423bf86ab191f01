import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What logging out at the IdP needs (SAML NameID and SessionIndex, or the OIDC id_token), sealed. */
export class SessionIdpLogout1764300000000 implements MigrationInterface {
  readonly name = 'SessionIdpLogout1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE sessions ADD COLUMN idp_logout_sealed text');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE sessions DROP COLUMN idp_logout_sealed');
  }
}
