import { openAppDataSource } from '@veilig/platform-database';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@veilig/platform-testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantDirectory, type Tenant } from './directory/tenant-directory.js';
import { UserDirectory } from './directory/user-directory.js';
import type { FederatedIdentity } from './federated-identity.js';
import { IDENTITY_MIGRATIONS } from './migrations/index.js';
import { PostgresSessionStore } from './sessions/postgres-session-store.js';

const identity = (overrides: Partial<FederatedIdentity> = {}): FederatedIdentity => ({
  protocol: 'oidc',
  subject: '7a1f0c2e-0000-4000-8000-000000000001',
  entraObjectId: '7a1f0c2e-0000-4000-8000-000000000001',
  entraTenantId: 'b3c5d6e7-0000-4000-8000-00000000000a',
  givenName: 'Anne',
  surname: 'de Vries',
  email: 'anne.devries@gemeente.example.nl',
  displayName: undefined,
  department: 'Burgerzaken',
  groups: [],
  roles: [],
  deviceId: undefined,
  idpSessionId: undefined,
  ...overrides,
});

describe('identity tables', () => {
  let migrated: MigratedTestDatabase;
  let app: DataSource;
  let admin: DataSource;
  let tenants: TenantDirectory;
  let users: UserDirectory;
  let federated: Tenant;
  let local: Tenant;

  beforeAll(async () => {
    migrated = await createMigratedTestDatabase(IDENTITY_MIGRATIONS);
    app = migrated.app;
    admin = await openAppDataSource({ url: migrated.database.migrationUrl });
    tenants = new TenantDirectory(app);
    users = new UserDirectory(app);
    federated = await tenants.create({ slug: 'gemeente-a', name: 'Gemeente A', authMode: 'federated', emailDomains: ['gemeente-a.example.nl'] });
    local = await tenants.create({ slug: 'stichting-b', name: 'Stichting B', authMode: 'local-2fa' });
  });
  afterAll(async () => {
    await admin?.destroy();
    await migrated?.close();
  });

  it('[SE-7.2] refuses a password login on a federated tenant, whoever writes it', async () => {
    await expect(
      admin.query(`INSERT INTO users (tenant_id, email, password_hash) VALUES ($1, 'backdoor@example.nl', '$argon2id$x')`, [federated.id]),
    ).rejects.toThrow(/federated: a password login cannot exist there/);
    const user = await users.provisionFederated(federated.id, identity());
    await expect(admin.query(`UPDATE users SET password_hash = '$argon2id$x', idp_subject = NULL WHERE id = $1`, [user.id])).rejects.toThrow(
      /federated/,
    );
  });

  it('[SE-7.2] refuses switching a tenant with users to another sign-in mode', async () => {
    await users.provisionFederated(federated.id, identity({ subject: 'switch-guard' }));
    await expect(tenants.setAuthMode(federated.id, 'local-2fa')).rejects.toThrow(/still has users/);
    const empty = await tenants.create({ slug: 'leeg', name: 'Leeg', authMode: 'local-2fa' });
    expect((await tenants.setAuthMode(empty.id, 'federated')).authMode).toBe('federated');
  });

  it('[SE-7.1] refuses a federated user on a tenant that signs in locally', async () => {
    await expect(users.provisionFederated(local.id, identity({ subject: 'stray' }))).rejects.toThrow(/signs in locally/);
  });

  it('[SV-4] provisions just in time by (tenant, subject), never by e-mail, and follows the IdP attributes', async () => {
    const first = await users.provisionFederated(federated.id, identity({ subject: 'oid-1', email: 'same@gemeente-a.example.nl' }));
    const other = await users.provisionFederated(federated.id, identity({ subject: 'oid-2', email: 'same@gemeente-a.example.nl' }));
    expect(other.id).not.toBe(first.id);
    const again = await users.provisionFederated(federated.id, identity({ subject: 'oid-1', department: undefined, surname: 'Jansen' }));
    expect(again.id).toBe(first.id);
    expect(again).toMatchObject({ surname: 'Jansen', department: null, displayName: 'Anne Jansen' });
  });

  describe('sessions', () => {
    let sessions: PostgresSessionStore;
    let userId: string;
    const newSession = () => ({
      userId,
      tenantId: federated.id,
      authMethod: 'oidc' as const,
      idpSessionId: 'sid-1',
      clientIp: '192.0.2.10',
      userAgent: 'Mozilla/5.0 test',
    });

    beforeAll(async () => {
      sessions = new PostgresSessionStore(app);
      userId = (await users.provisionFederated(federated.id, identity({ subject: 'session-user' }))).id;
    });

    it('[SE-7.1] [TH-11] issues a fresh random token at every sign-in and stores only its hash', async () => {
      const first = await sessions.create(newSession());
      const second = await sessions.create(newSession());
      expect(first.token).not.toBe(second.token);
      expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const stored: Array<{ token_hash: Buffer }> = await admin.query('SELECT token_hash FROM sessions WHERE id = $1', [first.session.id]);
      expect(stored[0]!.token_hash.toString('base64url')).not.toBe(first.token);
      expect((await sessions.resolve(first.token, '192.0.2.10'))?.userId).toBe(userId);
      expect(await sessions.resolve('A'.repeat(43), '192.0.2.10')).toBeUndefined();
      expect(await sessions.resolve('not a token', '192.0.2.10')).toBeUndefined();
    });

    it('[SE-7.1] ends a session that was idle too long, or is past its absolute lifetime', async () => {
      const idle = await sessions.create(newSession());
      await admin.query(`UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE id = $1`, [idle.session.id]);
      expect(await sessions.resolve(idle.token, '192.0.2.10')).toBeUndefined();
      const old = await sessions.create(newSession());
      await admin.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [old.session.id]);
      expect(await sessions.resolve(old.token, '192.0.2.10')).toBeUndefined();
    });

    it('[SE-7.1] records use when the last record is over a minute old, and skips the write otherwise', async () => {
      const session = await sessions.create(newSession());
      const lastSeen = async () =>
        ((await admin.query('SELECT last_seen_at FROM sessions WHERE id = $1', [session.session.id])) as Array<{ last_seen_at: Date }>)[0]!.last_seen_at.getTime();
      await admin.query(`UPDATE sessions SET last_seen_at = now() - interval '5 minutes' WHERE id = $1`, [session.session.id]);
      const stale = await lastSeen();
      await sessions.resolve(session.token, '192.0.2.10');
      const refreshed = await lastSeen();
      expect(refreshed - stale).toBeGreaterThan(4 * 60_000);
      await sessions.resolve(session.token, '192.0.2.10');
      expect(await lastSeen()).toBe(refreshed);
    });

    it('[SE-7.1] logout ends the session; logout everywhere ends them all', async () => {
      const a = await sessions.create(newSession());
      const b = await sessions.create(newSession());
      expect((await sessions.revoke(a.token))?.id).toBe(a.session.id);
      expect(await sessions.resolve(a.token, '192.0.2.10')).toBeUndefined();
      expect(await sessions.resolve(b.token, '192.0.2.10')).toBeDefined();
      expect(await sessions.revokeAllOfUser(federated.id, userId)).toBeGreaterThanOrEqual(1);
      expect(await sessions.resolve(b.token, '192.0.2.10')).toBeUndefined();
    });

    it('[SE-7.1] lists a user\'s active sessions and revokes one by its public id, within the tenant only', async () => {
      const session = await sessions.create(newSession());
      const listed = await sessions.listActive(federated.id, userId);
      expect(listed.map((entry) => entry.id)).toContain(session.session.id);
      expect(listed[0]).toMatchObject({ clientIp: '192.0.2.10', userAgent: 'Mozilla/5.0 test' });
      expect(await sessions.revokeById(local.id, session.session.id)).toBe(false);
      expect(await sessions.revokeById(federated.id, session.session.id)).toBe(true);
      expect(await sessions.resolve(session.token, '192.0.2.10')).toBeUndefined();
    });

    it('[SV-4] refuses a session used from outside its tenant\'s IP allow-list', async () => {
      const session = await sessions.create(newSession());
      await admin.query(`UPDATE tenants SET ip_allow_list = '{192.0.2.0/24}' WHERE id = $1`, [federated.id]);
      try {
        expect(await sessions.resolve(session.token, '192.0.2.77')).toBeDefined();
        expect(await sessions.resolve(session.token, '198.51.100.7')).toBeUndefined();
      } finally {
        await admin.query('UPDATE tenants SET ip_allow_list = NULL WHERE id = $1', [federated.id]);
      }
    });

    it('[SE-7.1] ends the sessions of a suspended tenant', async () => {
      const session = await sessions.create(newSession());
      await admin.query(`UPDATE tenants SET status = 'suspended' WHERE id = $1`, [federated.id]);
      try {
        expect(await sessions.resolve(session.token, '192.0.2.10')).toBeUndefined();
      } finally {
        await admin.query(`UPDATE tenants SET status = 'active' WHERE id = $1`, [federated.id]);
      }
    });
  });
});
