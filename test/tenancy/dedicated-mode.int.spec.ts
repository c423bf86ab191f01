import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAppDataSource } from '@veilig/platform-database';
import { createTestDatabase, type TestDatabase } from '@veilig/platform-testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/test-api.js';
import { TenantPeople, type Person } from '../support/tenant-people.js';

describe('dedicated mode: a tenant on a database of its own (DEDICATED_DATABASES_FILE)', () => {
  const dedicatedTenantId = randomUUID();
  let dedicated: TestDatabase;
  let dedicatedOwner: DataSource;
  let service: TestApi;
  let people: TenantPeople;
  let dedicatedMember: Person;
  let sharedMember: Person;

  beforeAll(async () => {
    dedicated = await createTestDatabase();
    const file = join(tmpdir(), `veilig-dedicated-${dedicatedTenantId}.json`);
    writeFileSync(file, JSON.stringify({ [dedicatedTenantId]: { migrationUrl: dedicated.migrationUrl } }));
    service = await startTestApi({ DEDICATED_DATABASES_FILE: file });
    people = await TenantPeople.open(service);
    await people.database.query(`INSERT INTO tenants (id, slug, name, auth_mode) VALUES ($1, 'gemeente-eigen', 'Gemeente Eigen', 'federated')`, [dedicatedTenantId]);
    dedicatedMember = await people.person(dedicatedTenantId, { roles: ['member'], department: 'Wmo' });
    sharedMember = await people.person(await people.tenant('gemeente-gedeeld'), { roles: ['member'], department: 'Wmo' });
    dedicatedOwner = await openAppDataSource({ url: dedicated.migrationUrl });
  });
  afterAll(async () => {
    await dedicatedOwner?.destroy();
    await people?.close();
    await dedicated?.drop();
    await service?.close();
  });

  const newCase = { title: 'Melding', category: 'wmo', citizenName: 'A. Bakker', citizenBsn: '111222333' };

  it('[SE-6.2] keeps a dedicated tenant\'s cases and their audit trail in its own database, and nobody else\'s there', async () => {
    const created = await dedicatedMember.call('POST', '/api/cases', newCase);
    expect(created.status).toBe(201);
    const caseId = created.json<{ id: string }>().id;
    expect((await sharedMember.call('POST', '/api/cases', newCase)).status).toBe(201);

    const inDedicated = await dedicatedOwner.query<Array<{ id: string; tenant_id: string }>>('SELECT id, tenant_id FROM cases');
    expect(inDedicated).toEqual([{ id: caseId, tenant_id: dedicatedTenantId }]);
    const inShared = await people.database.query<Array<{ tenant_id: string }>>('SELECT tenant_id FROM cases');
    expect(inShared.map((row) => row.tenant_id)).toEqual([sharedMember.tenantId]);

    const dedicatedTrail = await dedicatedOwner.query<Array<{ tenant_id: string; action: string }>>('SELECT tenant_id, action FROM audit_events');
    expect(dedicatedTrail).toContainEqual({ tenant_id: dedicatedTenantId, action: 'data.created' });
    expect(dedicatedTrail.every((row) => row.tenant_id === dedicatedTenantId)).toBe(true);
    const sharedTrail = await people.database.query<Array<{ tenant_id: string; action: string }>>("SELECT tenant_id, action FROM audit_events WHERE action = 'data.created'");
    expect(sharedTrail.map((row) => row.tenant_id)).toEqual([sharedMember.tenantId]);
  });

  it('[SE-6.2] [SE-4.1] serves each tenant only from its own database over HTTP', async () => {
    const dedicatedList = (await dedicatedMember.call('GET', '/api/cases')).json<{ items: Array<{ id: string }>; hasMore: boolean }>();
    const sharedList = (await sharedMember.call('GET', '/api/cases')).json<{ items: Array<{ id: string }>; hasMore: boolean }>();
    expect(dedicatedList.items).toHaveLength(1);
    expect(sharedList.items).toHaveLength(1);
    expect(dedicatedList.items[0]!.id).not.toBe(sharedList.items[0]!.id);
    expect((await sharedMember.call('GET', `/api/cases/${dedicatedList.items[0]!.id}`)).status).toBe(404);
  });

  it('[SE-6.2] refuses to start on a malformed file, naming every problem and no password', async () => {
    const file = join(tmpdir(), `veilig-dedicated-bad-${randomUUID()}.json`);
    writeFileSync(file, JSON.stringify({ 'not-a-uuid': { migrationUrl: 'postgres://owner:hunter2@db/x' }, [randomUUID()]: { migrationUrl: 'mysql://x' } }));
    const failure = await startTestApi({ DEDICATED_DATABASES_FILE: file }).then(
      async (started) => {
        await started.close();
        return undefined;
      },
      (error: unknown) => error as Error,
    );
    expect(failure?.message).toMatch(/keys are tenant ids/);
    expect(failure?.message).toMatch(/must be a postgres:\/\/ URL/);
    expect(failure?.message).not.toContain('hunter2');
  });
});
