import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@veilig/platform-testing';
import { TenantScope, tenantIsolationProblems } from '@veilig/tenancy';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckpoint } from '../chain/audit-checkpoint.js';
import { verifyAuditChain } from '../chain/verify-audit-chain.js';
import { purgeExpiredAuditEvents } from '../retention/purge-expired-audit-events.js';
import { AuditWriter } from '../writer/audit-writer.js';
import { AUDIT_MIGRATIONS } from './index.js';

const AUDIT_TABLES = ['audit_events', 'audit_chain_heads', 'audit_chain_anchors', 'audit_retention'];
const AUDIT_FUNCTIONS = ['audit_events_chain()', 'audit_events_append_only()', 'audit_chain_head()', 'audit_purge_expired()'];

describe('audit migrations on PostgreSQL', () => {
  let db: MigratedTestDatabase;
  let superuser: Client;
  let ownerRole: string;

  beforeAll(async () => {
    db = await createMigratedTestDatabase(AUDIT_MIGRATIONS);
    superuser = new Client({ connectionString: db.database.migrationUrl });
    await superuser.connect();
    ownerRole = `${db.database.appRole}_owner`;
  });
  afterAll(async () => {
    if (superuser) {
      await superuser.query(`DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${ownerRole}') THEN
          REASSIGN OWNED BY ${ownerRole} TO CURRENT_USER; DROP OWNED BY ${ownerRole}; DROP ROLE ${ownerRole};
        END IF; END $$`);
      await superuser.end();
    }
    await db?.close();
  });

  it('[SE-6.2] makes every audit table tenant-owned: row-level security enabled, forced and on the tenant', async () => {
    expect(await tenantIsolationProblems(db.app)).toEqual([]);
  });

  it('[SE-3.2] chains, verifies, checkpoints and purges when the migration role is no superuser and row-level security binds it too', async () => {
    await superuser.query(`CREATE ROLE ${ownerRole} NOLOGIN NOSUPERUSER NOBYPASSRLS`);
    await superuser.query(`GRANT USAGE ON SCHEMA public TO ${ownerRole}`);
    for (const table of AUDIT_TABLES) await superuser.query(`ALTER TABLE ${table} OWNER TO ${ownerRole}`);
    for (const fn of AUDIT_FUNCTIONS) await superuser.query(`ALTER FUNCTION ${fn} OWNER TO ${ownerRole}`);

    const writer = new AuditWriter(new TenantScope(db.app));
    const tenant = randomUUID();
    const old = new Date(Date.now() - 400 * 86_400_000);
    await Promise.all(
      Array.from({ length: 10 }, () => writer.record({ tenantId: tenant, action: 'auth.logon', outcome: 'success', actor: { type: 'system' }, occurredAt: old })),
    );
    await writer.record({ tenantId: tenant, action: 'auth.logoff', outcome: 'success', actor: { type: 'system' } });
    expect(await verifyAuditChain(db.app, tenant)).toMatchObject({ ok: true, lastSequence: 11 });

    const checkpoint = await createCheckpoint(writer, tenant, generateKeyPairSync('ed25519').privateKey, 'k1');
    expect(checkpoint.event.details).toMatchObject({ checkpointSequence: 11 });
    expect(await purgeExpiredAuditEvents(writer, tenant)).toMatchObject({ purgedCount: 10, upToSequence: 10 });
    expect(await verifyAuditChain(db.app, tenant)).toMatchObject({ ok: true, lastSequence: 13 });
    const { rows } = await superuser.query('SELECT count(*)::int AS rows FROM audit_events WHERE tenant_id = $1', [tenant]);
    expect(rows).toEqual([{ rows: 3 }]);
  });
});
