import { APPLICATION_GROUP_ROLE } from '@veilig/platform-database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ends sessions that expired (idle or absolute timeout) so their logoff can be recorded (SV-7.9:
 * logoff times): a pre-tenant sweep across tenants, so a SECURITY DEFINER function like the other
 * session lookups. SKIP LOCKED and the revoked_at condition make every expiry end once, whichever
 * replica sweeps.
 */
export class SessionExpiry1764700000000 implements MigrationInterface {
  readonly name = 'SessionExpiry1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION identity_end_expired_sessions(idle_timeout_ms double precision, max_sessions integer)
      RETURNS TABLE (id uuid, user_id uuid, tenant_id uuid, client_ip text, user_agent text, device_id text, reason text, ended_at timestamptz)
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        UPDATE sessions s SET revoked_at = now()
          FROM (SELECT token_hash FROM sessions
                 WHERE revoked_at IS NULL
                   AND (expires_at <= now() OR last_seen_at <= now() - make_interval(secs => idle_timeout_ms / 1000))
                 LIMIT max_sessions FOR UPDATE SKIP LOCKED) expired
         WHERE s.token_hash = expired.token_hash
        RETURNING s.id, s.user_id, s.tenant_id, host(s.client_ip), s.user_agent, s.device_id,
                  CASE WHEN s.expires_at <= s.last_seen_at + make_interval(secs => idle_timeout_ms / 1000) THEN 'absolute-timeout' ELSE 'idle-timeout' END,
                  LEAST(s.expires_at, s.last_seen_at + make_interval(secs => idle_timeout_ms / 1000))
      $$`);
    await queryRunner.query('REVOKE ALL ON FUNCTION identity_end_expired_sessions(double precision, integer) FROM PUBLIC');
    await queryRunner.query(`GRANT EXECUTE ON FUNCTION identity_end_expired_sessions(double precision, integer) TO ${APPLICATION_GROUP_ROLE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP FUNCTION identity_end_expired_sessions(double precision, integer)');
  }
}
