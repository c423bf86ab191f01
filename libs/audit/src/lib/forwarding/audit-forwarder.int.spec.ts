import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox } from '@veilig/identity';
import { openAppDataSource } from '@veilig/platform-database';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@veilig/platform-testing';
import { TenantContext, TenantScope } from '@veilig/tenancy';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_MIGRATIONS } from '../migrations/index.js';
import type { AuditEvent, ChainedAuditEvent } from '../model/audit-event.js';
import { AuditWriter } from '../writer/audit-writer.js';
import { AuditForwarder, type AuditForwarderOptions } from './audit-forwarder.js';
import { AuditDestinationRepository, type AuditDestination } from './destinations/audit-destination-repository.js';
import type { AuditDestinationInput } from './destinations/audit-destination-settings.js';
import { formatCefMessage } from './formats/cef-message.js';
import { formatSyslogMessage } from './formats/syslog-message.js';
import { AUDIT_FORWARDING_MIGRATIONS } from './migrations/index.js';
import { HttpsCollector } from './testing/https-collector.js';
import type { ParsedSyslogMessage } from './testing/syslog-parser.js';
import { SyslogStreamReceiver, type SyslogStreamReceiverOptions } from './testing/syslog-stream-receiver.js';
import { createTestAuthority, type TestAuthority, type TestKeyPair } from './testing/test-authority.js';

const ADMIN = randomUUID();
const HEC_TOKEN = 'hec-token-for-the-forwarder-tests';

describe('AuditForwarder on PostgreSQL', () => {
  let db: MigratedTestDatabase;
  let owner: Client;
  let scope: TenantScope;
  let writer: AuditWriter;
  let secretBox: SecretBox;
  let destinations: AuditDestinationRepository;
  let siemCa: TestAuthority;
  let siemServer: TestKeyPair;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    db = await createMigratedTestDatabase([...AUDIT_MIGRATIONS, ...AUDIT_FORWARDING_MIGRATIONS]);
    owner = new Client({ connectionString: db.database.migrationUrl });
    await owner.connect();
    scope = new TenantScope(db.app);
    writer = new AuditWriter(scope);
    secretBox = new SecretBox({ id: 'test', key: randomBytes(32) });
    destinations = new AuditDestinationRepository(scope, secretBox);
    siemCa = await createTestAuthority('SIEM CA');
    siemServer = await siemCa.issueServer();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    // The owner is a superuser here, so row-level security does not hide other tests' destinations.
    await owner.query('DELETE FROM audit_destinations');
  });
  afterAll(async () => {
    await owner?.end();
    await db?.close();
  });

  const asTenant = <T>(tenantId: string, work: () => Promise<T>) => TenantContext.run({ tenantId, actorId: ADMIN }, work);

  async function record(tenantId: string, count: number): Promise<ChainedAuditEvent[]> {
    const recorded: ChainedAuditEvent[] = [];
    for (let i = 0; i < count; i++) {
      recorded.push(
        await writer.recordChained({
          tenantId,
          action: i % 3 === 0 ? 'auth.logon' : 'data.viewed',
          outcome: i % 5 === 4 ? 'denied' : 'success',
          actor: { type: 'user', userId: ADMIN, email: 'jan@gemeente.example', displayName: 'Jan "JJ" de Vries' },
          device: { ip: '192.0.2.10', userAgent: 'Mozilla/5.0' },
          target: { type: 'zaak', id: `Z-${i}` },
          reason: i === 1 ? 'a=b | c\\d\nnext line' : undefined,
        }),
      );
    }
    return recorded;
  }

  async function receiver(options: SyslogStreamReceiverOptions = { tls: siemServer }): Promise<SyslogStreamReceiver> {
    const started = new SyslogStreamReceiver(options);
    await started.start();
    cleanups.push(() => started.stop());
    return started;
  }

  function tlsDestination(name: string, siem: SyslogStreamReceiver, format: 'json' | 'cef' = 'json'): AuditDestinationInput {
    return { name, kind: 'syslog-tls', format, settings: { host: '127.0.0.1', port: siem.port, caPem: siemCa.certPem } };
  }

  function addDestination(tenantId: string, input: AuditDestinationInput): Promise<AuditDestination> {
    return asTenant(tenantId, () => destinations.add(input));
  }

  function startForwarder(options: Partial<AuditForwarderOptions> = {}, dataSource: DataSource = db.app): AuditForwarder {
    const forwarder = new AuditForwarder(dataSource, {
      secretBox,
      batchSize: 10,
      workers: 2,
      pollIntervalMs: 20,
      leaseMs: 5_000,
      retry: { initialDelayMs: 20, maxDelayMs: 100 },
      hostname: 'veilig-test',
      productVersion: 'test',
      ...options,
    });
    forwarder.start();
    cleanups.push(() => forwarder.stop());
    return forwarder;
  }

  const sequencesOf = (messages: readonly ParsedSyslogMessage[]) => messages.map((message) => Number(message.structuredData[0]?.params['seq']));
  /** Each sequence where it first arrived: redelivery may repeat a batch, but never reorders or skips. */
  const firstArrivals = (sequences: readonly number[]) => [...new Set(sequences)];
  const allArrived = (count: number) => (messages: readonly ParsedSyslogMessage[]) => new Set(sequencesOf(messages)).size >= count;
  const deliveryOf = async (tenantId: string, id: string) => (await asTenant(tenantId, () => destinations.find(id)))!.delivery;

  it('[SE-3.2] delivers every event, in order, after the SIEM was down for a while', async () => {
    const tenant = randomUUID();
    const siem = await receiver();
    const destination = await addDestination(tenant, tlsDestination('soc', siem));
    await record(tenant, 30);
    startForwarder();
    await siem.messages.waitForCount(10);
    await siem.stop();
    await record(tenant, 30);
    await expect.poll(async () => (await deliveryOf(tenant, destination.id)).attempts, { timeout: 10_000 }).toBeGreaterThan(1);
    expect((await deliveryOf(tenant, destination.id)).lastError).toMatch(/ECONNREFUSED/);
    await siem.start();
    await siem.messages.waitUntil(allArrived(60));
    expect(firstArrivals(sequencesOf(siem.messages.items))).toEqual(Array.from({ length: 60 }, (_, index) => index + 1));
    expect(siem.violations).toEqual([]);
    await expect.poll(() => deliveryOf(tenant, destination.id)).toMatchObject({ deliveredSequence: 60, attempts: 0, lastError: null });
  });

  it('[TH-3] sends nothing to a receiver whose certificate comes from another CA, and records why', async () => {
    const tenant = randomUUID();
    const impostor = await receiver({ tls: await (await createTestAuthority('Impostor CA')).issueServer() });
    const destination = await addDestination(tenant, tlsDestination('soc', impostor));
    await record(tenant, 5);
    startForwarder();
    await expect.poll(async () => (await deliveryOf(tenant, destination.id)).attempts, { timeout: 10_000 }).toBeGreaterThan(1);
    const delivery = await deliveryOf(tenant, destination.id);
    expect(delivery.lastError).toMatch(/certificate/i);
    expect(delivery.deliveredSequence).toBe(0);
    expect(impostor.frames).toBe(0);
    expect(impostor.failedHandshakes).toBeGreaterThan(0);
  });

  it('[SE-3.2] two forwarders side by side on one database deliver every event of every tenant', async () => {
    const appUrl = (db.app.options as { url?: string }).url!;
    const secondPool = await openAppDataSource({ url: appUrl, poolSize: 4 });
    cleanups.push(() => secondPool.destroy());
    const tenants = [randomUUID(), randomUUID(), randomUUID()];
    const receivers = await Promise.all(tenants.map(() => receiver({})));
    for (const [index, tenant] of tenants.entries()) {
      await addDestination(tenant, { name: 'soc', kind: 'syslog-tcp', settings: { host: '127.0.0.1', port: receivers[index]!.port } });
    }
    startForwarder({ hostname: 'replica-a', batchSize: 7 });
    startForwarder({ hostname: 'replica-b', batchSize: 7 }, secondPool);
    // Recorded while both forward, so they compete for fresh work all along.
    await Promise.all(tenants.map((tenant) => record(tenant, 80)));
    for (const siem of receivers) {
      await siem.messages.waitUntil(allArrived(80));
      expect(firstArrivals(sequencesOf(siem.messages.items))).toEqual(Array.from({ length: 80 }, (_, index) => index + 1));
      expect(siem.violations).toEqual([]);
    }
  });

  it("[SE-6.2] sends each tenant's events only to that tenant's own destination", async () => {
    const [tenantA, tenantB] = [randomUUID(), randomUUID()];
    const [siemA, siemB] = [await receiver(), await receiver()];
    await addDestination(tenantA, tlsDestination('soc', siemA));
    const destinationB = await addDestination(tenantB, tlsDestination('soc', siemB));
    const recordedA = record(tenantA, 25);
    const recordedB = record(tenantB, 15);
    await Promise.all([recordedA, recordedB]);
    startForwarder();
    await siemA.messages.waitUntil(allArrived(25));
    await siemB.messages.waitUntil(allArrived(15));
    const tenantsIn = (siem: SyslogStreamReceiver) =>
      new Set(siem.messages.items.flatMap((message) => [message.structuredData[0]?.params['tenant'], (JSON.parse(message.msg) as AuditEvent).tenantId]));
    expect(tenantsIn(siemA)).toEqual(new Set([tenantA]));
    expect(tenantsIn(siemB)).toEqual(new Set([tenantB]));
    // Structural: a cursor cannot be pointed at another tenant's chain.
    await expect(
      db.app.query('UPDATE audit_delivery_cursors SET tenant_id = $1 WHERE destination_id = $2', [tenantA, destinationB.id]),
    ).rejects.toThrow(/foreign key/);
  });

  it('[SV-7.9] forwards CEF in RFC 5424 messages exactly as formatted from the stored event', async () => {
    const tenant = randomUUID();
    const siem = await receiver();
    await addDestination(tenant, tlsDestination('soc', siem, 'cef'));
    const recorded = await record(tenant, 3);
    startForwarder({ productVersion: '1.4.0' });
    await siem.messages.waitUntil(allArrived(3));
    const expected = recorded.map((chained) => formatSyslogMessage(chained, formatCefMessage(chained, { productVersion: '1.4.0' }), { hostname: 'veilig-test' }));
    const received = siem.messages.items.slice(0, 3).map((message) => {
      const sd = message.structuredData[0]!.params;
      const priority = message.facility * 8 + message.severity;
      return `<${priority}>1 ${message.timestamp} ${message.hostname} ${message.appName} ${message.procId} ${message.msgId} [veilig@32473 tenant="${sd['tenant']}" seq="${sd['seq']}" id="${sd['id']}"] \uFEFF${message.msg}`;
    });
    expect(received).toEqual(expected);
    // The writer has already made the line break harmless; CEF escapes what remains.
    expect(siem.messages.items[1]!.msg).toContain(' reason=a\\=b | c\\\\d');
    expect(siem.messages.items[0]!.msg).toContain('suser=jan@gemeente.example');
  });

  it('[SE-3.2] delivers to a Splunk HTTP Event Collector with its token', async () => {
    const tenant = randomUUID();
    const splunk = new HttpsCollector({ ...siemServer, mode: 'splunk-hec', token: HEC_TOKEN });
    await splunk.start();
    cleanups.push(() => splunk.stop());
    await addDestination(tenant, {
      name: 'splunk',
      kind: 'https',
      settings: { url: `https://127.0.0.1:${splunk.port}`, mode: 'splunk-hec', caPem: siemCa.certPem },
      secrets: { token: HEC_TOKEN },
    });
    const recorded = await record(tenant, 12);
    startForwarder({ batchSize: 5 });
    await splunk.events.waitForCount(12);
    expect(splunk.events.items.map((event) => (event as { id: string }).id)).toEqual(recorded.map((chained) => chained.event.id));
    expect(splunk.envelopes.every((envelope) => envelope.source === 'veilig' && envelope.sourcetype === 'veilig:audit' && envelope.host === 'veilig-test')).toBe(true);
    expect(splunk.requests.every((request) => request.status === 200 && request.path === '/services/collector/event')).toBe(true);
  });

  it('[SE-3.2] reports the backlog per destination until it is delivered', async () => {
    const tenant = randomUUID();
    const siem = await receiver();
    await siem.stop();
    const destination = await addDestination(tenant, tlsDestination('soc', siem));
    await record(tenant, 4);
    const forwarder = startForwarder();
    const waiting = (await forwarder.lag()).find((lag) => lag.destinationId === destination.id);
    expect(waiting).toMatchObject({ tenantId: tenant, deliveredSequence: 0, undeliveredEvents: 4 });
    expect(waiting!.oldestUndeliveredAgeSeconds).toBeGreaterThanOrEqual(0);
    await siem.start();
    await siem.messages.waitUntil(allArrived(4));
    await expect
      .poll(async () => (await forwarder.lag()).find((lag) => lag.destinationId === destination.id))
      .toMatchObject({ deliveredSequence: 4, undeliveredEvents: 0, oldestUndeliveredAgeSeconds: 0, attempts: 0, lastError: null });
  });

  it('[SE-3.2] appends a file destination as JSON lines in the configured folder, and nowhere without one', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'veilig-audit-sink-'));
    cleanups.push(async () => rmSync(folder, { recursive: true, force: true }));
    const tenant = randomUUID();
    const destination = await addDestination(tenant, { name: 'local', kind: 'file', settings: { fileName: 'audit.jsonl' } });
    await record(tenant, 6);
    const withoutFolder = startForwarder();
    await expect.poll(async () => (await deliveryOf(tenant, destination.id)).lastError, { timeout: 10_000 }).toMatch(/no fileDirectory/);
    await withoutFolder.stop();
    startForwarder({ fileDirectory: folder });
    await expect.poll(() => deliveryOf(tenant, destination.id), { timeout: 10_000 }).toMatchObject({ deliveredSequence: 6 });
    const lines = readFileSync(join(folder, 'audit.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { sequence: number; tenantId: string }).sequence)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('[SE-3.2] parks a disabled destination and catches it up once it is enabled again', async () => {
    const tenant = randomUUID();
    const [active, paused] = [await receiver(), await receiver()];
    await addDestination(tenant, tlsDestination('active', active));
    const parked = await addDestination(tenant, tlsDestination('paused', paused));
    expect((await asTenant(tenant, () => destinations.setEnabled(parked.id, false)))?.delivery.nextAttemptAt).toBeNull();
    await record(tenant, 8);
    startForwarder();
    await active.messages.waitUntil(allArrived(8));
    expect(paused.frames).toBe(0);
    await asTenant(tenant, () => destinations.setEnabled(parked.id, true));
    await paused.messages.waitUntil(allArrived(8));
    expect(firstArrivals(sequencesOf(paused.messages.items))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
