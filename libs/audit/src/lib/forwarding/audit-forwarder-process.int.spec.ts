import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { SecretBox } from '@veilig/identity';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@veilig/platform-testing';
import { TenantContext, TenantScope } from '@veilig/tenancy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_MIGRATIONS } from '../migrations/index.js';
import type { ChainedAuditEvent } from '../model/audit-event.js';
import { AuditWriter } from '../writer/audit-writer.js';
import { AuditDestinationRepository } from './destinations/audit-destination-repository.js';
import { AUDIT_FORWARDING_MIGRATIONS } from './migrations/index.js';
import { HttpsCollector } from './testing/https-collector.js';
import { createTestAuthority } from './testing/test-authority.js';

const ADMIN = randomUUID();
const TOKEN = 'collector-token-for-the-kill-test';
const SCRIPT = 'libs/audit/src/lib/forwarding/testing/forwarder-process.ts';

describe('AuditForwarder as a process of its own', () => {
  let db: MigratedTestDatabase;
  let destinations: AuditDestinationRepository;
  let writer: AuditWriter;
  const secretKey = randomBytes(32);
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createMigratedTestDatabase([...AUDIT_MIGRATIONS, ...AUDIT_FORWARDING_MIGRATIONS]);
    const scope = new TenantScope(db.app);
    writer = new AuditWriter(scope);
    destinations = new AuditDestinationRepository(scope, new SecretBox({ id: 'test', key: secretKey }));
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await db?.close();
  });

  async function startForwarderProcess(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', SCRIPT], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        AUDIT_FORWARDER_DATABASE_URL: (db.app.options as { url?: string }).url,
        AUDIT_FORWARDER_SECRET_KEY: secretKey.toString('base64'),
        AUDIT_FORWARDER_OPTIONS: JSON.stringify({ batchSize: 10, workers: 2, pollIntervalMs: 20, leaseMs: 1_500, retry: { initialDelayMs: 20, maxDelayMs: 100 } }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const [ready] = (await Promise.race([once(child.stdout!, 'data'), once(child, 'exit').then(() => ['exited'])])) as [Buffer | string];
    expect(String(ready)).toBe('ready\n');
    return child;
  }

  it('[SE-3.2] delivers every event after a forwarder is killed with SIGKILL in the middle of a batch and another one starts', async () => {
    const authority = await createTestAuthority('Collector CA');
    const collector = new HttpsCollector({ ...(await authority.issueServer()), mode: 'json', token: TOKEN });
    await collector.start();
    try {
      const tenant = randomUUID();
      const destination = await TenantContext.run({ tenantId: tenant, actorId: ADMIN }, () =>
        destinations.add({ name: 'soc', kind: 'https', settings: { url: collector.url, caPem: authority.certPem }, secrets: { token: TOKEN } }),
      );
      const recorded: ChainedAuditEvent[] = [];
      for (let i = 0; i < 60; i++) {
        recorded.push(await writer.recordChained({ tenantId: tenant, action: 'data.viewed', outcome: 'success', actor: { type: 'user', userId: ADMIN } }));
      }
      // Three batches are accepted; the fourth is still waiting for its answer when the process dies.
      collector.holdFrom(4);
      const first = await startForwarderProcess();
      await collector.held.waitForCount(1);
      first.kill('SIGKILL');
      await once(first, 'exit');
      const cursor = await TenantContext.run({ tenantId: tenant, actorId: ADMIN }, () => destinations.find(destination.id));
      expect(cursor?.delivery.deliveredSequence).toBe(30);

      collector.release();
      const second = await startForwarderProcess();
      await collector.events.waitUntil((events) => new Set(events.map((event) => (event as { id: string }).id)).size === 60, 15_000, 'all 60 events');
      const firstArrivals = [...new Set(collector.events.items.map((event) => (event as { id: string }).id))];
      expect(firstArrivals).toEqual(recorded.map((chained) => chained.event.id));

      second.kill('SIGTERM');
      const [exitCode] = await once(second, 'exit');
      expect(exitCode).toBe(0);
      const delivered = await TenantContext.run({ tenantId: tenant, actorId: ADMIN }, () => destinations.find(destination.id));
      expect(delivered?.delivery).toMatchObject({ deliveredSequence: 60, lastError: null });
    } finally {
      await collector.stop();
    }
  });
});
