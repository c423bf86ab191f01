import { setTimeout as sleep } from 'node:timers/promises';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@veilig/platform-testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantDirectory } from '../directory/tenant-directory.js';
import { UserDirectory } from '../directory/user-directory.js';
import { IDENTITY_MIGRATIONS } from '../migrations/index.js';
import { IdentityEvents, type IdentityEvent } from '../web/identity-events.js';
import { PostgresSessionStore } from './postgres-session-store.js';
import { SessionExpirySweeper } from './session-expiry-sweeper.js';

class RecordedEvents extends IdentityEvents {
  readonly events: IdentityEvent[] = [];
  async emit(event: IdentityEvent): Promise<void> {
    this.events.push(event);
  }
}

describe('the logoff of expired sessions', () => {
  let db: MigratedTestDatabase;
  let tenantId: string;
  let userId: string;

  beforeAll(async () => {
    db = await createMigratedTestDatabase(IDENTITY_MIGRATIONS);
    tenantId = (await new TenantDirectory(db.app).create({ slug: 'gemeente-e', name: 'Gemeente E', authMode: 'federated' })).id;
    userId = (
      await new UserDirectory(db.app).provisionFederated(tenantId, {
        protocol: 'oidc',
        subject: 'oid-e',
        entraObjectId: 'oid-e',
        entraTenantId: undefined,
        givenName: 'Eva',
        surname: 'Eind',
        email: 'eva@gemeente-e.example.nl',
        displayName: undefined,
        department: undefined,
        groups: [],
        roles: [],
        deviceId: undefined,
        idpSessionId: undefined,
      })
    ).id;
  });
  afterAll(async () => {
    await db?.close();
  });

  it('[SV-7.9] records auth.logoff once for every session that timed out, with the reason and the moment it ended', async () => {
    const idleSoon = new PostgresSessionStore(db.app, { idleTimeoutMs: 1_000, absoluteTimeoutMs: 60_000 });
    const lasting = new PostgresSessionStore(db.app, { idleTimeoutMs: 60_000, absoluteTimeoutMs: 60_000 });
    const newSession = { userId, tenantId, authMethod: 'oidc' as const, idpSessionId: undefined, clientIp: '192.0.2.7', userAgent: 'browser', deviceId: 'device-7' };
    const idle = await idleSoon.create(newSession);
    const alive = await lasting.create(newSession);
    await sleep(1_500);

    const events = new RecordedEvents();
    const sweeper = new SessionExpirySweeper(idleSoon, events, pino({ level: 'silent' }));
    expect(await sweeper.sweep()).toBe(2);
    // The idle sweep ends both: under the 1 s idle policy, the other session has idled too.
    expect(events.events.map((event) => event.target?.id).sort()).toEqual([idle.session.id, alive.session.id].sort());
    expect(events.events[0]).toMatchObject({ action: 'auth.logoff', outcome: 'success', tenantId, userId, clientIp: '192.0.2.7', deviceId: 'device-7' });
    expect(events.events[0]!.reason).toMatch(/^idle-timeout at \d{4}-\d{2}-\d{2}T/);
    expect(await sweeper.sweep()).toBe(0);
    expect(await idleSoon.resolve(idle.token, '192.0.2.7')).toBeUndefined();
  });

  it('[SV-7.9] leaves live sessions alone', async () => {
    const store = new PostgresSessionStore(db.app, { idleTimeoutMs: 60_000, absoluteTimeoutMs: 60_000 });
    const live = await store.create({ userId, tenantId, authMethod: 'oidc', idpSessionId: undefined, clientIp: '192.0.2.8', userAgent: 'browser' });
    const events = new RecordedEvents();
    expect(await new SessionExpirySweeper(store, events, pino({ level: 'silent' })).sweep()).toBe(0);
    expect(await store.resolve(live.token, '192.0.2.8')).toMatchObject({ id: live.session.id });
  });
});
