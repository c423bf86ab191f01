import { randomBytes, randomUUID } from 'node:crypto';
import { SecretBox, SecretBoxError } from '@veilig/identity';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@veilig/platform-testing';
import { TenantContext, TenantScope } from '@veilig/tenancy';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_MIGRATIONS } from '../../migrations/index.js';
import { AUDIT_FORWARDING_MIGRATIONS } from '../migrations/index.js';
import { createTestAuthority, type TestAuthority } from '../testing/test-authority.js';
import { AuditDestinationRepository } from './audit-destination-repository.js';
import { AuditDestinationError, type AuditDestinationInput } from './audit-destination-settings.js';

const ADMIN = randomUUID();
const TOKEN = 'bearer-token-that-must-stay-sealed';

describe('AuditDestinationRepository on PostgreSQL', () => {
  let db: MigratedTestDatabase;
  let owner: Client;
  let destinations: AuditDestinationRepository;
  let authority: TestAuthority;

  beforeAll(async () => {
    db = await createMigratedTestDatabase([...AUDIT_MIGRATIONS, ...AUDIT_FORWARDING_MIGRATIONS]);
    owner = new Client({ connectionString: db.database.migrationUrl });
    await owner.connect();
    destinations = new AuditDestinationRepository(new TenantScope(db.app), new SecretBox({ id: 'test', key: randomBytes(32) }));
    authority = await createTestAuthority('SIEM CA');
  });
  afterAll(async () => {
    await owner?.end();
    await db?.close();
  });

  const asTenant = <T>(tenantId: string, work: () => Promise<T>) => TenantContext.run({ tenantId, actorId: ADMIN }, work);
  const collector = (name = 'collector'): AuditDestinationInput => ({
    name,
    kind: 'https',
    settings: { url: 'https://siem.gemeente.example/ingest', caPem: authority.certPem },
    secrets: { token: TOKEN },
  });

  it("[SE-6.2] a tenant sees, changes and removes only its own destinations", async () => {
    const [tenantA, tenantB] = [randomUUID(), randomUUID()];
    const ofA = await asTenant(tenantA, () => destinations.add(collector()));
    await asTenant(tenantB, () => destinations.add(collector()));
    expect(ofA).toMatchObject({ tenantId: tenantA, name: 'collector', kind: 'https', format: 'json', enabled: true, delivery: { deliveredSequence: 0, attempts: 0 } });
    const listedByB = await asTenant(tenantB, () => destinations.list());
    expect(listedByB.map((destination) => destination.tenantId)).toEqual([tenantB]);
    expect(await asTenant(tenantB, () => destinations.find(ofA.id))).toBeUndefined();
    expect(await asTenant(tenantB, () => destinations.setEnabled(ofA.id, false))).toBeUndefined();
    expect(await asTenant(tenantB, () => destinations.remove(ofA.id))).toBe(false);
    expect(await asTenant(tenantB, () => destinations.findForDelivery(ofA.id))).toBeUndefined();
    expect((await asTenant(tenantA, () => destinations.find(ofA.id)))?.enabled).toBe(true);
    expect(await asTenant(tenantA, () => destinations.remove(ofA.id))).toBe(true);
    const cursors = await owner.query('SELECT 1 FROM audit_delivery_cursors WHERE destination_id = $1', [ofA.id]);
    expect(cursors.rowCount).toBe(0);
  });

  it('[SE-6.1] keeps tokens sealed at rest, out of listings, and bound to their destination', async () => {
    const tenant = randomUUID();
    const first = await asTenant(tenant, () => destinations.add(collector('first')));
    const second = await asTenant(tenant, () => destinations.add(collector('second')));
    const stored = await owner.query<{ row: string }>('SELECT row_to_json(d)::text AS row FROM audit_destinations d WHERE tenant_id = $1', [tenant]);
    expect(stored.rows).toHaveLength(2);
    for (const { row } of stored.rows) expect(row).not.toContain(TOKEN);
    expect(JSON.stringify(await asTenant(tenant, () => destinations.list()))).not.toContain(TOKEN);
    expect((await asTenant(tenant, () => destinations.findForDelivery(first.id)))?.definition.secrets).toEqual({ token: TOKEN });
    await owner.query('UPDATE audit_destinations SET secrets_sealed = (SELECT secrets_sealed FROM audit_destinations WHERE id = $1) WHERE id = $2', [
      first.id,
      second.id,
    ]);
    await expect(asTenant(tenant, () => destinations.findForDelivery(second.id))).rejects.toBeInstanceOf(SecretBoxError);
  });

  it('[SE-3.2] refuses an invalid description before storing it, and a second destination of the same name', async () => {
    const tenant = randomUUID();
    await expect(asTenant(tenant, () => destinations.add({ ...collector(), settings: { url: 'http://siem.example' } }))).rejects.toThrow(AuditDestinationError);
    await asTenant(tenant, () => destinations.add(collector()));
    await expect(asTenant(tenant, () => destinations.add(collector()))).rejects.toThrow(/already exists/);
    expect(await asTenant(tenant, () => destinations.list())).toHaveLength(1);
  });

  it('refuses to work outside a tenant context', async () => {
    await expect(destinations.list()).rejects.toThrow(/tenant context/i);
    await expect(destinations.add(collector())).rejects.toThrow(/tenant context/i);
  });
});
