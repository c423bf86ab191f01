import { APPLICATION_GROUP_ROLE } from '@veilig/platform-database';
import { enableTenantRowLevelSecurity } from '@veilig/tenancy';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How long a tenant keeps its audit events (SE-3.3), never less than 180 days, 365 when the
 * tenant has not chosen; and the one way audit rows are ever deleted: audit_purge_expired(),
 * which removes the oldest expired events as a prefix of the chain and keeps the last removed
 * row's sequence and hash as the chain's anchor, so the remaining chain still verifies.
 */
export class AuditRetention1765000000001 implements MigrationInterface {
  readonly name = 'AuditRetention1765000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_retention (
        tenant_id uuid PRIMARY KEY,
        keep_days integer NOT NULL CHECK (keep_days >= 180),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await enableTenantRowLevelSecurity(queryRunner, 'audit_retention');
    // SECURITY DEFINER makes current_user the table owner inside, which (with the setting) is what
    // audit_events_append_only() admits a DELETE for. Events are a prefix: the purge stops at the
    // first event still within the retention period, even if later ones are older (occurred_at is
    // the caller's clock, the sequence is the database's order).
    await queryRunner.query(`
      CREATE FUNCTION audit_purge_expired() RETURNS TABLE (purged_count bigint, up_to_sequence bigint, retention_days integer)
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      DECLARE
        chain_tenant uuid := NULLIF(current_setting('app.tenant_id', true), '')::uuid;
        keep integer;
        first_kept bigint;
        last_purged bigint;
        last_purged_hash bytea;
        purged bigint;
      BEGIN
        IF chain_tenant IS NULL THEN
          RAISE EXCEPTION 'audit_purge_expired() runs only in a tenant transaction' USING ERRCODE = 'insufficient_privilege';
        END IF;
        PERFORM pg_advisory_xact_lock(hashtext('veilig:audit-purge'), hashtext(chain_tenant::text));
        SELECT r.keep_days INTO keep FROM audit_retention r WHERE r.tenant_id = chain_tenant;
        keep := coalesce(keep, 365);
        SELECT min(e.sequence) INTO first_kept FROM audit_events e
         WHERE e.tenant_id = chain_tenant AND e.occurred_at >= now() - make_interval(days => keep);
        SELECT e.sequence, e.hash INTO last_purged, last_purged_hash FROM audit_events e
         WHERE e.tenant_id = chain_tenant AND (first_kept IS NULL OR e.sequence < first_kept)
         ORDER BY e.sequence DESC LIMIT 1;
        IF last_purged IS NULL THEN
          RETURN QUERY SELECT 0::bigint, NULL::bigint, keep;
          RETURN;
        END IF;
        PERFORM set_config('audit.retention_purge', 'on', true);
        DELETE FROM audit_events e WHERE e.tenant_id = chain_tenant AND e.sequence <= last_purged;
        GET DIAGNOSTICS purged = ROW_COUNT;
        PERFORM set_config('audit.retention_purge', 'off', true);
        INSERT INTO audit_chain_anchors AS anchor (tenant_id, sequence, hash, purged_at)
        VALUES (chain_tenant, last_purged, last_purged_hash, now())
        ON CONFLICT (tenant_id) DO UPDATE SET sequence = EXCLUDED.sequence, hash = EXCLUDED.hash, purged_at = EXCLUDED.purged_at;
        RETURN QUERY SELECT purged, last_purged, keep;
      END $$`);
    await queryRunner.query('REVOKE ALL ON FUNCTION audit_purge_expired() FROM PUBLIC');
    await queryRunner.query(`GRANT EXECUTE ON FUNCTION audit_purge_expired() TO ${APPLICATION_GROUP_ROLE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP FUNCTION audit_purge_expired');
    await queryRunner.query('DROP TABLE audit_retention');
  }
}
