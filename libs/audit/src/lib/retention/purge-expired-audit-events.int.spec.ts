import { randomUUID } from 'node:crypto';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@veilig/platform-testing';
import { TenantContext, TenantScope } from '@veilig/tenancy';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../chain/verify-audit-chain.js';
import { AUDIT_MIGRATIONS } from '../migrations/index.js';
import { SYSTEM_ACTOR_ID, type AuditEvent } from '../model/audit-event.js';
import { AuditWriter } from '../writer/audit-writer.js';
import { purgeExpiredAuditEvents } from './purge-expired-audit-events.js';
import { AuditRetentionError, setAuditRetention } from './set-audit-retention.js';

const DAY = 86_400_000;
const ADMIN = randomUUID();

describe('audit retention on PostgreSQL', () => {
  let db: MigratedTestDatabase;
  let owner: Client;
  let scope: TenantScope;
  let writer: AuditWriter;

  const daysAgo = (days: number) => new Date(Date.now() - days * DAY);
  const recordAt = (tenantId: string, occurredAt: Date) =>
    writer.record({ tenantId, action: 'data.viewed', outcome: 'success', actor: { type: 'user', userId: ADMIN }, occurredAt });
  const storedSequences = async (tenantId: string) =>
    (await owner.query<{ sequence: string }>('SELECT sequence FROM audit_events WHERE tenant_id = $1 ORDER BY sequence', [tenantId])).rows.map(({ sequence }) =>
      Number(sequence),
    );
  const asTenant = <T>(tenantId: string, work: () => Promise<T>) => TenantContext.run({ tenantId, actorId: SYSTEM_ACTOR_ID }, work);

  beforeAll(async () => {
    db = await createMigratedTestDatabase(AUDIT_MIGRATIONS);
    owner = new Client({ connectionString: db.database.migrationUrl });
    await owner.connect();
    scope = new TenantScope(db.app);
    writer = new AuditWriter(scope);
  });
  afterAll(async () => {
    await owner?.end();
    await db?.close();
  });

  it('[SE-3.3] purges expired events as a prefix of the chain, anchors the chain there and audits the purge; the rest verifies', async () => {
    const tenant = randomUUID();
    for (let n = 0; n < 5; n++) await recordAt(tenant, daysAgo(400));
    await recordAt(tenant, daysAgo(100));
    await recordAt(tenant, daysAgo(500));
    const { rows: lastPurged } = await owner.query<{ hash: string }>(`SELECT encode(hash, 'hex') AS hash FROM audit_events WHERE tenant_id = $1 AND sequence = 5`, [
      tenant,
    ]);

    const result = await purgeExpiredAuditEvents(writer, tenant);

    expect(result).toMatchObject({ purgedCount: 5, upToSequence: 5 });
    expect(result.event).toMatchObject({
      action: 'audit.retention.purged',
      actor: { type: 'system' },
      details: { purgedCount: 5, upToSequence: 5, retentionDays: 365 },
    });
    expect(await storedSequences(tenant)).toEqual([6, 7, 8]);
    const { rows: stored } = await owner.query<{ event: AuditEvent }>('SELECT event FROM audit_events WHERE tenant_id = $1 AND sequence = 8', [tenant]);
    expect(stored[0]?.event.id).toBe(result.event?.id);
    const { rows: anchors } = await owner.query(`SELECT sequence, encode(hash, 'hex') AS hash FROM audit_chain_anchors WHERE tenant_id = $1`, [tenant]);
    expect(anchors).toEqual([{ sequence: '5', hash: lastPurged[0]?.hash }]);
    expect(await verifyAuditChain(db.app, tenant)).toMatchObject({ ok: true, lastSequence: 8 });

    expect(await purgeExpiredAuditEvents(writer, tenant)).toEqual({ purgedCount: 0, upToSequence: null, event: null });
    expect(await storedSequences(tenant)).toEqual([6, 7, 8]);
  });

  it('[SE-3.3] keeps events for the retention period the tenant set, never less than 180 days, and audits the setting', async () => {
    const tenant = randomUUID();
    await recordAt(tenant, daysAgo(250));
    await recordAt(tenant, daysAgo(190));
    expect((await purgeExpiredAuditEvents(writer, tenant)).purgedCount).toBe(0);

    await expect(setAuditRetention(writer, { tenantId: tenant, keepDays: 179, actor: { type: 'user', userId: ADMIN } })).rejects.toThrow(AuditRetentionError);
    await expect(asTenant(tenant, () => scope.query('INSERT INTO audit_retention (keep_days) VALUES (179)'))).rejects.toThrow(/check constraint/);
    const change = await setAuditRetention(writer, { tenantId: tenant, keepDays: 200, actor: { type: 'user', userId: ADMIN } });
    expect(change).toMatchObject({ action: 'config.changed', details: { setting: 'audit.retentionDays', previous: 365, value: 200 } });

    expect(await purgeExpiredAuditEvents(writer, tenant)).toMatchObject({ purgedCount: 1, upToSequence: 1 });
    expect(await storedSequences(tenant)).toEqual([2, 3, 4]);
    expect(await verifyAuditChain(db.app, tenant)).toMatchObject({ ok: true, lastSequence: 4 });
  });

  it('[SE-3.2] lets the application role delete no audit row itself, even with the setting the purge uses', async () => {
    const tenant = randomUUID();
    await recordAt(tenant, daysAgo(400));
    const deleting = asTenant(tenant, () =>
      scope.run(async () => {
        await scope.query(`SELECT set_config('audit.retention_purge', 'on', true)`);
        await scope.query('DELETE FROM audit_events');
      }),
    );
    await expect(deleting).rejects.toThrow(/permission denied/);
    expect(await storedSequences(tenant)).toEqual([1]);
  });

  it('[SE-3.2] refuses UPDATE and DELETE in the append-only trigger to a role that was granted them, outside the purge function', async () => {
    const tenant = randomUUID();
    await recordAt(tenant, daysAgo(400));
    await owner.query(`GRANT UPDATE, DELETE ON audit_events TO ${db.database.appRole}`);
    try {
      for (const statement of ['DELETE FROM audit_events', `UPDATE audit_events SET outcome = 'failure'`]) {
        const tampering = asTenant(tenant, () =>
          scope.run(async () => {
            await scope.query(`SELECT set_config('audit.retention_purge', 'on', true)`);
            await scope.query(statement);
          }),
        );
        await expect(tampering, statement).rejects.toThrow(/audit_events is append-only/);
      }
    } finally {
      await owner.query(`REVOKE UPDATE, DELETE ON audit_events FROM ${db.database.appRole}`);
    }
    expect(await storedSequences(tenant)).toEqual([1]);
  });
});
