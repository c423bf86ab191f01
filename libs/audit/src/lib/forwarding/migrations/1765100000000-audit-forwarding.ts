import { enableTenantRowLevelSecurity } from '@veilig/tenancy';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where each tenant's audit events are forwarded (SE-3.2), and how far each destination got.
 *
 * `audit_destinations` is tenant data (the customer's SIEM address, certificates, a sealed
 * token), so it is a tenant table under forced row-level security like any other: the forwarder
 * reads a destination only inside a transaction of that destination's tenant, the same
 * transaction kind in which it reads that tenant's events (SE-6.2).
 *
 * `audit_delivery_cursors` is the forwarder's work queue, and deliberately has no row-level
 * security: replicas must find due destinations of every tenant in one `FOR UPDATE SKIP LOCKED`
 * statement. A SECURITY DEFINER function would not get around forced row-level security either,
 * since FORCE binds the owning role, which is no superuser and has no BYPASSRLS in production
 * (infra/postgres/roles.sql). So the cursor holds no tenant data: a destination id, the tenant id
 * to open that tenant's transaction with, a sequence number, timing and a short error without
 * secrets. The composite foreign key makes a cursor's tenant the tenant of its destination, and
 * the destination itself stays invisible outside that tenant's transaction.
 */
export class AuditForwarding1765100000000 implements MigrationInterface {
  readonly name = 'AuditForwarding1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_destinations (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        name text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
        kind text NOT NULL CHECK (kind IN ('syslog-tls', 'syslog-tcp', 'syslog-udp', 'https', 'file')),
        format text NOT NULL CHECK (format IN ('json', 'cef')),
        settings jsonb NOT NULL,
        secrets_sealed text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, name),
        UNIQUE (tenant_id, id)
      )`);
    await enableTenantRowLevelSecurity(queryRunner, 'audit_destinations');
    await queryRunner.query(`
      CREATE TABLE audit_delivery_cursors (
        destination_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        delivered_sequence bigint NOT NULL DEFAULT 0 CHECK (delivered_sequence >= 0),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text CHECK (length(last_error) <= 500),
        leased_until timestamptz,
        leased_by text,
        FOREIGN KEY (tenant_id, destination_id) REFERENCES audit_destinations (tenant_id, id) ON DELETE CASCADE
      )`);
    await queryRunner.query('CREATE INDEX audit_delivery_cursors_due ON audit_delivery_cursors (next_attempt_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE audit_delivery_cursors');
    await queryRunner.query('DROP TABLE audit_destinations');
  }
}
