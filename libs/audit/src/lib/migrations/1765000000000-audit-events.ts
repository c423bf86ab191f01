import { APPLICATION_GROUP_ROLE } from '@veilig/platform-database';
import { enableTenantRowLevelSecurity } from '@veilig/tenancy';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log (SE-3.2, SE-3.3): one hash chain per tenant, built by the database itself so no
 * code path can store an unchained, reordered or altered row.
 *
 * - `canonical` is the exact text that is hashed (RFC 8785 JSON, see chain/canonical-json.ts);
 *   the BEFORE INSERT trigger derives `event` and every other column from it, so they cannot
 *   disagree with the hash. A writer sends nothing else.
 * - The trigger takes the next sequence from the tenant's row in audit_chain_heads with an
 *   upsert, which locks that row until the transaction ends: inserts of one tenant queue there
 *   and commit in sequence order, gap-free, which is what lets a forwarder keep a "delivered up
 *   to N" cursor. A rolled-back insert rolls the head back with it.
 * - The application role may read and insert audit rows, nothing else, and has no privilege on
 *   the chain heads; the trigger reaches them as SECURITY DEFINER (the migration role).
 * - A second trigger refuses UPDATE, TRUNCATE and DELETE for everyone; the one DELETE it admits
 *   is the retention purge's, see AuditRetention1765000000001.
 */
export class AuditEvents1765000000000 implements MigrationInterface {
  readonly name = 'AuditEvents1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_events (
        tenant_id uuid NOT NULL,
        sequence bigint NOT NULL,
        id uuid NOT NULL UNIQUE,
        occurred_at timestamptz NOT NULL,
        action text NOT NULL,
        outcome text NOT NULL,
        event jsonb NOT NULL,
        canonical text NOT NULL,
        previous_hash bytea NOT NULL CHECK (octet_length(previous_hash) = 32),
        hash bytea NOT NULL CHECK (octet_length(hash) = 32),
        PRIMARY KEY (tenant_id, sequence)
      )`);
    await enableTenantRowLevelSecurity(queryRunner, 'audit_events');
    // What the auditor's query filters on (query/audit-query.ts); newest-first paging uses the primary key.
    await queryRunner.query('CREATE INDEX audit_events_occurred_at ON audit_events (tenant_id, occurred_at)');
    await queryRunner.query('CREATE INDEX audit_events_action ON audit_events (tenant_id, action text_pattern_ops)');
    await queryRunner.query(`CREATE INDEX audit_events_actor_user ON audit_events (tenant_id, (event #>> '{actor,userId}'))`);
    await queryRunner.query(`CREATE INDEX audit_events_actor_email ON audit_events (tenant_id, lower(event #>> '{actor,email}'))`);
    await queryRunner.query(
      `CREATE INDEX audit_events_target ON audit_events (tenant_id, (event #>> '{target,type}'), (event #>> '{target,id}'))`,
    );

    await queryRunner.query(`
      CREATE TABLE audit_chain_heads (
        tenant_id uuid PRIMARY KEY,
        last_sequence bigint NOT NULL,
        last_hash bytea NOT NULL
      )`);
    await enableTenantRowLevelSecurity(queryRunner, 'audit_chain_heads');
    // Where verification starts once retention has purged a chain's oldest events.
    await queryRunner.query(`
      CREATE TABLE audit_chain_anchors (
        tenant_id uuid PRIMARY KEY,
        sequence bigint NOT NULL,
        hash bytea NOT NULL,
        purged_at timestamptz NOT NULL
      )`);
    await enableTenantRowLevelSecurity(queryRunner, 'audit_chain_anchors');

    await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_events FROM ${APPLICATION_GROUP_ROLE}`);
    await queryRunner.query(`REVOKE ALL ON audit_chain_heads FROM ${APPLICATION_GROUP_ROLE}`);
    await queryRunner.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_chain_anchors FROM ${APPLICATION_GROUP_ROLE}`);

    await queryRunner.query(`
      CREATE FUNCTION audit_events_chain() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      DECLARE
        document jsonb;
        chain_tenant uuid;
        next_sequence bigint;
        previous bytea;
      BEGIN
        IF NEW.canonical IS NULL THEN
          RAISE EXCEPTION 'audit_events.canonical is required: it is the text the chain hashes'
            USING ERRCODE = 'not_null_violation';
        END IF;
        document := NEW.canonical::jsonb;
        chain_tenant := (document ->> 'tenantId')::uuid;
        IF chain_tenant IS DISTINCT FROM NULLIF(current_setting('app.tenant_id', true), '')::uuid THEN
          RAISE EXCEPTION 'an audit event of tenant % is recorded only in a transaction of that tenant', chain_tenant
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        INSERT INTO audit_chain_heads AS head (tenant_id, last_sequence, last_hash)
        VALUES (chain_tenant, 1, decode(repeat('00', 32), 'hex'))
        ON CONFLICT (tenant_id) DO UPDATE SET last_sequence = head.last_sequence + 1
        RETURNING head.last_sequence, head.last_hash INTO next_sequence, previous;
        NEW.tenant_id := chain_tenant;
        NEW.sequence := next_sequence;
        NEW.previous_hash := previous;
        NEW.hash := sha256(previous || convert_to(NEW.canonical, 'UTF8'));
        UPDATE audit_chain_heads SET last_hash = NEW.hash WHERE tenant_id = chain_tenant;
        NEW.id := (document ->> 'id')::uuid;
        NEW.occurred_at := (document ->> 'occurredAt')::timestamptz;
        NEW.action := document ->> 'action';
        NEW.outcome := document ->> 'outcome';
        NEW.event := document;
        RETURN NEW;
      END $$`);
    await queryRunner.query('REVOKE ALL ON FUNCTION audit_events_chain() FROM PUBLIC');
    await queryRunner.query(
      'CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_chain()',
    );

    // Not SECURITY DEFINER: current_user must be the caller's. It is the table owner only inside
    // a SECURITY DEFINER function of the owner, i.e. audit_purge_expired(); a custom setting alone
    // proves nothing, since any role can set one.
    await queryRunner.query(`
      CREATE FUNCTION audit_events_append_only() RETURNS trigger
      LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
      BEGIN
        IF TG_OP = 'DELETE'
           AND current_setting('audit.retention_purge', true) = 'on'
           AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_events is append-only: % is refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query('REVOKE ALL ON FUNCTION audit_events_append_only() FROM PUBLIC');
    await queryRunner.query(
      'CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()',
    );
    await queryRunner.query(
      'CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()',
    );

    // The head of the current tenant's chain, for verification to notice rows cut off the end.
    await queryRunner.query(`
      CREATE FUNCTION audit_chain_head() RETURNS TABLE (last_sequence bigint, last_hash bytea)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        SELECT h.last_sequence, h.last_hash FROM audit_chain_heads h
         WHERE h.tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
      $$`);
    await queryRunner.query('REVOKE ALL ON FUNCTION audit_chain_head() FROM PUBLIC');
    await queryRunner.query(`GRANT EXECUTE ON FUNCTION audit_chain_head() TO ${APPLICATION_GROUP_ROLE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE audit_events');
    await queryRunner.query('DROP TABLE audit_chain_anchors');
    await queryRunner.query('DROP TABLE audit_chain_heads');
    await queryRunner.query('DROP FUNCTION audit_chain_head');
    await queryRunner.query('DROP FUNCTION audit_events_append_only');
    await queryRunner.query('DROP FUNCTION audit_events_chain');
  }
}
