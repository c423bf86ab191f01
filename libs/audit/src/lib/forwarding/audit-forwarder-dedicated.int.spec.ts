import { randomBytes, randomUUID } from 'node:crypto';
import { SecretBox } from '@veilig/identity';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@veilig/platform-testing';
import { TenantContext, TenantDatabaseRouter, TenantScope } from '@veilig/tenancy';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_MIGRATIONS } from '../migrations/index.js';
import type { ChainedAuditEvent } from '../model/audit-event.js';
import { AuditWriter } from '../writer/audit-writer.js';
import { AuditForwarder } from './audit-forwarder.js';
import { AuditDestinationRepository } from './destinations/audit-destination-repository.js';
import { AUDIT_FORWARDING_MIGRATIONS } from './migrations/index.js';
import { SyslogStreamReceiver } from './testing/syslog-stream-receiver.js';

const ADMIN = randomUUID();
const MIGRATIONS = [...AUDIT_MIGRATIONS, ...AUDIT_FORWARDING_MIGRATIONS];

describe('AuditForwarder in dedicated mode', () => {
  let shared: MigratedTestDatabase;
  let dedicated: MigratedTestDatabase;
  let router: TenantDatabaseRouter;
  const dedicatedTenant = randomUUID();
  const sharedTenant = randomUUID();

  beforeAll(async () => {
    [shared, dedicated] = await Promise.all([createMigratedTestDatabase(MIGRATIONS), createMigratedTestDatabase(MIGRATIONS)]);
    router = new TenantDatabaseRouter(shared.app, { [dedicatedTenant]: (dedicated.app.options as { url?: string }).url! });
  });
  afterAll(async () => {
    await router?.close();
    await dedicated?.close();
    await shared?.close();
  });

  it("[SE-6.2] forwards a dedicated tenant's trail from its own database, with its destination in the shared control plane", async () => {
    const secretBox = new SecretBox({ id: 'test', key: randomBytes(32) });
    const destinations = new AuditDestinationRepository(new TenantScope(shared.app), secretBox);
    const writer = new AuditWriter(new TenantScope(router));
    const receivers = { [dedicatedTenant]: new SyslogStreamReceiver(), [sharedTenant]: new SyslogStreamReceiver() };
    const recorded: Record<string, ChainedAuditEvent[]> = { [dedicatedTenant]: [], [sharedTenant]: [] };
    const forwarder = new AuditForwarder(shared.app, { secretBox, tenantDatabases: router, pollIntervalMs: 20, hostname: 'veilig-test' });
    try {
      for (const [tenantId, receiver] of Object.entries(receivers)) {
        await receiver.start();
        await TenantContext.run({ tenantId, actorId: ADMIN }, () =>
          destinations.add({ name: 'soc', kind: 'syslog-tcp', settings: { host: '127.0.0.1', port: receiver.port } }),
        );
        for (let i = 0; i < 4; i++) {
          recorded[tenantId]!.push(await writer.recordChained({ tenantId, action: 'data.viewed', outcome: 'success', actor: { type: 'user', userId: ADMIN } }));
        }
      }
      forwarder.start();
      for (const [tenantId, receiver] of Object.entries(receivers)) {
        await receiver.messages.waitForCount(4);
        expect(receiver.messages.items.map((message) => message.structuredData[0]?.params['id'])).toEqual(recorded[tenantId]!.map((chained) => chained.event.id));
      }
      // As the owner (a superuser here), whom row-level security does not hide rows from.
      const owner = new Client({ connectionString: shared.database.migrationUrl });
      await owner.connect();
      const inShared = await owner.query('SELECT tenant_id FROM audit_events').finally(() => owner.end());
      expect(inShared.rows.map((row: { tenant_id: string }) => row.tenant_id)).toEqual(Array(4).fill(sharedTenant));
      const dedicatedCursors = await dedicated.app.query<Array<{ count: string }>>('SELECT count(*) FROM audit_delivery_cursors');
      expect(dedicatedCursors).toEqual([{ count: '0' }]);
    } finally {
      await forwarder.stop();
      for (const receiver of Object.values(receivers)) await receiver.stop();
    }
  });
});
