import { randomUUID } from 'node:crypto';
import { openAppDataSource } from '@veilig/platform-database';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@veilig/platform-testing';
import { TenantContext, TenantScope } from '@veilig/tenancy';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../chain/canonical-json.js';
import { verifyAuditChain } from '../chain/verify-audit-chain.js';
import { AUDIT_MIGRATIONS } from '../migrations/index.js';
import { AuditTenantMismatchError } from '../model/audit-errors.js';
import { PLATFORM_TENANT_ID, type AuditEvent, type AuditEventInput } from '../model/audit-event.js';
import { AuditWriter } from './audit-writer.js';
import { buildAuditEvent } from './build-audit-event.js';
import { SECRET_SAMPLES } from './testing/secret-samples.js';

const USER = randomUUID();

function logon(tenantId: string | null, overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    tenantId,
    action: 'auth.logon',
    outcome: 'success',
    actor: { type: 'user', userId: USER, email: 'jan@gemeente.example' },
    device: { ip: '192.0.2.10', userAgent: 'Mozilla/5.0' },
    ...overrides,
  };
}

describe('AuditWriter on PostgreSQL', () => {
  let db: MigratedTestDatabase;
  let owner: Client;
  let scope: TenantScope;
  let writer: AuditWriter;

  const asTenant = <T>(tenantId: string, work: () => Promise<T>): Promise<T> => TenantContext.run({ tenantId, actorId: USER }, work);
  const storedEvents = async (tenantId: string) =>
    (
      await owner.query<{ sequence: string; event: AuditEvent; canonical: string; event_text: string }>(
        'SELECT sequence, event, canonical, event::text AS event_text FROM audit_events WHERE tenant_id = $1 ORDER BY sequence',
        [tenantId],
      )
    ).rows;

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

  it('[SE-3.2] chains a raw INSERT in the database, whatever sequence, hashes and document it claims', async () => {
    const tenant = randomUUID();
    await writer.record(logon(tenant));
    const document = buildAuditEvent(logon(tenant, { action: 'data.viewed' }));
    const [row] = await asTenant(tenant, () =>
      scope.query<{ sequence: string; previous_hash: string; hash: string; event: AuditEvent }>(
        `INSERT INTO audit_events (canonical, sequence, previous_hash, hash, event, action)
         VALUES ($1, 999, decode(repeat('ab', 32), 'hex'), decode(repeat('cd', 32), 'hex'), '{"forged": true}', 'auth.logoff')
         RETURNING sequence, encode(previous_hash, 'hex') AS previous_hash, encode(hash, 'hex') AS hash, event`,
        [canonicalJson(document)],
      ),
    );
    const [first] = await storedEvents(tenant);
    expect(row).toMatchObject({ sequence: '2', event: document });
    expect(row!.previous_hash).not.toBe('ab'.repeat(32));
    expect(first?.sequence).toBe('1');
    expect(await verifyAuditChain(db.app, tenant)).toEqual({ ok: true, lastSequence: 2, lastHash: row!.hash });
  });

  it('[SE-3.2] refuses a raw INSERT of another tenant\'s event, and one without the text it hashes', async () => {
    const tenant = randomUUID();
    const foreign = buildAuditEvent(logon(randomUUID()));
    await expect(asTenant(tenant, () => scope.query('INSERT INTO audit_events (canonical) VALUES ($1)', [canonicalJson(foreign)]))).rejects.toThrow(
      /recorded only in a transaction of that tenant/,
    );
    await expect(asTenant(tenant, () => scope.query(`INSERT INTO audit_events (event) VALUES ('{}')`))).rejects.toThrow(/canonical is required/);
    expect(await storedEvents(tenant)).toEqual([]);
  });

  it('[SE-3.2] gives 50 concurrent writers of one tenant, each on a connection of its own, a gap-free chain that verifies', async () => {
    const tenant = randomUUID();
    const wide: DataSource = await openAppDataSource({ url: (db.app.options as { url: string }).url, poolSize: 50 });
    try {
      const wideWriter = new AuditWriter(new TenantScope(wide));
      const chained = await Promise.all(Array.from({ length: 50 }, (_, n) => wideWriter.recordChained(logon(tenant, { requestId: `r${n}` }))));
      expect(chained.map(({ sequence }) => sequence).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, n) => n + 1));
      const bySequence = new Map(chained.map((entry) => [entry.sequence, entry]));
      for (let sequence = 2; sequence <= 50; sequence++) expect(bySequence.get(sequence)?.previousHash).toBe(bySequence.get(sequence - 1)?.hash);
      expect(await verifyAuditChain(db.app, tenant)).toEqual({ ok: true, lastSequence: 50, lastHash: bySequence.get(50)?.hash });
    } finally {
      await wide.destroy();
    }
  });

  it('[SE-3.2] [SE-6.2] keeps two tenants\' chains apart, and row-level security hides one tenant\'s events from the other', async () => {
    const [tenantA, tenantB] = [randomUUID(), randomUUID()];
    const eventsA = [await writer.record(logon(tenantA)), await writer.record(logon(tenantA)), await writer.record(logon(tenantA))];
    await writer.record(logon(tenantB));
    const seenByB = await asTenant(tenantB, () => scope.query<{ id: string; sequence: string }>('SELECT id, sequence FROM audit_events'));
    expect(seenByB).toHaveLength(1);
    expect(seenByB[0]?.sequence).toBe('1');
    const aById = await asTenant(tenantB, () => scope.query('SELECT 1 FROM audit_events WHERE id = ANY($1::uuid[])', [eventsA.map(({ id }) => id)]));
    expect(aById).toEqual([]);
    expect(await verifyAuditChain(db.app, tenantA)).toMatchObject({ ok: true, lastSequence: 3 });
    expect(await verifyAuditChain(db.app, tenantB)).toMatchObject({ ok: true, lastSequence: 1 });
  });

  it('[SE-3.2] lets the application role neither UPDATE, DELETE nor TRUNCATE audit events, nor touch the chain heads', async () => {
    const tenant = randomUUID();
    await writer.record(logon(tenant));
    for (const statement of [
      `UPDATE audit_events SET outcome = 'failure'`,
      'DELETE FROM audit_events',
      'TRUNCATE audit_events',
      'SELECT * FROM audit_chain_heads',
      'UPDATE audit_chain_heads SET last_sequence = 0',
      `INSERT INTO audit_chain_heads VALUES ($1, 0, decode(repeat('00', 32), 'hex'))`,
      'DELETE FROM audit_chain_anchors',
      `INSERT INTO audit_chain_anchors VALUES ($1, 1, decode(repeat('00', 32), 'hex'), now())`,
    ]) {
      const parameters = statement.includes('$1') ? [tenant] : [];
      await expect(asTenant(tenant, () => scope.query(statement, parameters)), statement).rejects.toThrow(/permission denied/);
    }
    expect(await storedEvents(tenant)).toHaveLength(1);
  });

  it('[SE-3.2] rolls an event back with the change of a scope.run that throws, and keeps the event of one that commits', async () => {
    const tenant = randomUUID();
    const failing = asTenant(tenant, () =>
      scope.run(async () => {
        await scope.query('INSERT INTO audit_retention (keep_days) VALUES (200)');
        await writer.record(logon(tenant, { action: 'config.changed', details: { setting: 'retention' } }));
        throw new Error('the change failed after it was audited');
      }),
    );
    await expect(failing).rejects.toThrow('the change failed');
    expect(await storedEvents(tenant)).toEqual([]);
    expect((await owner.query('SELECT 1 FROM audit_retention WHERE tenant_id = $1', [tenant])).rows).toEqual([]);

    const recorded = await asTenant(tenant, () =>
      scope.run(async () => {
        await scope.query('INSERT INTO audit_retention (keep_days) VALUES (200)');
        return writer.record(logon(tenant, { action: 'config.changed', details: { setting: 'retention' } }));
      }),
    );
    expect((await storedEvents(tenant)).map(({ event }) => event.id)).toEqual([recorded.id]);
    expect((await owner.query('SELECT keep_days FROM audit_retention WHERE tenant_id = $1', [tenant])).rows).toEqual([{ keep_days: 200 }]);
  });

  it('[SE-3.3] [SE-6.1] stores no secret of any kind in any field, as the owner reads the rows back', async () => {
    const tenant = randomUUID();
    const secretDetailValue = 'Sup3r-S3cret-Valu3';
    for (const { text } of Object.values(SECRET_SAMPLES)) {
      const carrying = `x ${text} y`;
      await writer.record({
        tenantId: tenant,
        action: 'auth.failed',
        outcome: 'failure',
        actor: { type: 'user', userId: USER, idpSubject: carrying, displayName: carrying, email: carrying, operator: carrying },
        sessionId: carrying,
        device: { ip: carrying, userAgent: carrying, deviceId: carrying },
        target: { type: carrying, id: carrying },
        reason: carrying,
        requestId: carrying,
        details: {
          note: carrying,
          list: [carrying, carrying],
          password: secretDetailValue,
          totp: secretDetailValue,
          code: secretDetailValue,
          SAMLResponse: secretDetailValue,
          'client-secret': secretDetailValue,
          Refresh_Token: secretDetailValue,
          apiKey: secretDetailValue,
          'private key': secretDetailValue,
          authorization: secretDetailValue,
          cookie: secretDetailValue,
          id_token: secretDetailValue,
        },
      });
    }
    const rows = await storedEvents(tenant);
    expect(rows).toHaveLength(Object.keys(SECRET_SAMPLES).length);
    for (const row of rows) {
      for (const stored of [row.canonical, row.event_text]) {
        expect(stored).not.toContain(secretDetailValue);
        for (const { mustNotSurvive } of Object.values(SECRET_SAMPLES)) expect(stored).not.toContain(mustNotSurvive);
      }
    }
  });

  it('[SE-3.3] escapes CR, LF, controls, ANSI escapes and line separators in every stored string', async () => {
    const tenant = randomUUID();
    const forged = 'jan\r\n2026-01-01T00:00:00Z auth.logon success admin\u001b[2K\u0085\u2028\u2029\u0007';
    await writer.record(
      logon(tenant, {
        actor: { type: 'user', userId: USER, displayName: forged, email: forged },
        device: { userAgent: forged },
        reason: forged,
        details: { note: forged, list: [forged] },
      }),
    );
    const [row] = await storedEvents(tenant);
    const strings: string[] = [];
    JSON.parse(row!.canonical, (_key, value: unknown) => (typeof value === 'string' ? strings.push(value) : undefined, value));
    expect(strings.filter((value) => value.startsWith('jan'))).toHaveLength(6);
    for (const value of strings) expect(value).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(row!.event.reason).toBe('jan\\u000d\\u000a2026-01-01T00:00:00Z auth.logon success admin\\u001b[2K\\u0085\\u2028\\u2029\\u0007');
  });

  it('[SE-3.2] records an event without a tenant in the platform chain', async () => {
    const event = await writer.record({ tenantId: null, action: 'tenant.created', outcome: 'success', actor: { type: 'operator', operator: 'ops' } });
    expect(event.tenantId).toBe(PLATFORM_TENANT_ID);
    expect((await storedEvents(PLATFORM_TENANT_ID)).map((row) => row.event.id)).toContain(event.id);
    expect(await verifyAuditChain(db.app, PLATFORM_TENANT_ID)).toMatchObject({ ok: true });
  });

  it('[SE-3.2] refuses an event of another tenant than the open tenant context, and stores nothing', async () => {
    const [tenant, other] = [randomUUID(), randomUUID()];
    await expect(asTenant(tenant, () => writer.record(logon(other)))).rejects.toThrow(AuditTenantMismatchError);
    expect(await storedEvents(other)).toEqual([]);
  });
});
