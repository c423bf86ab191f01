import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type RedisClientType } from '@redis/client';
import { openAppDataSource } from '@veilig/platform-database';
import { createMigratedTestDatabase, redisTestUrl, type MigratedTestDatabase } from '@veilig/platform-testing';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantDirectory } from '../directory/tenant-directory.js';
import { UserDirectory } from '../directory/user-directory.js';
import type { FederatedIdentity } from '../federated-identity.js';
import { IDENTITY_MIGRATIONS } from '../migrations/index.js';
import { PostgresSessionStore } from './postgres-session-store.js';
import { RedisSessionStore } from './redis-session-store.js';
import { DEFAULT_SESSION_POLICY, type NewSession, type SessionPolicy, type SessionStore } from './session-store.js';

/** What the shared cases need to know of a store's backend, beyond the SessionStore contract. */
interface Backend {
  readonly name: string;
  /** A store as one replica of the service has it: every call opens another connection to the same backend. */
  open(policy?: SessionPolicy): Promise<SessionStore>;
  /** The same kind of store, on a backend it cannot reach: whatever asks the backend fails. */
  unreachable(): SessionStore;
  /** Everything kept about sessions, as text: the PostgreSQL table, and for Redis every key and value under the prefix. */
  storedText(): Promise<string[]>;
  /** Makes a session look unused for `ageMs`, so that little of its idle time is left. */
  age(token: string, sessionId: string, ageMs: number, idleTimeoutMs: number): Promise<void>;
}

const CLIENT_IP = '192.0.2.10';
/** Short enough to wait for, long enough for a create and a resolve to happen within it. */
const ONE_SECOND_MS = 1_000;
const PAST_ONE_SECOND_MS = 1_500;

let migrated: MigratedTestDatabase;
/** The database owner, for what a test arranges beneath the stores (suspending a tenant, ageing a session). */
let admin: DataSource;
/** Every Redis client this file opens, the inspecting one first. */
const redisClients: RedisClientType[] = [];
const keyPrefix = `veilig-test:session-store:${randomBytes(6).toString('hex')}:`;

async function connectRedis(): Promise<RedisClientType> {
  const client: RedisClientType = createClient({ url: redisTestUrl() });
  await client.connect();
  redisClients.push(client);
  return client;
}

async function redisNow(redis: RedisClientType): Promise<number> {
  const [seconds, microseconds] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(microseconds) / 1000);
}

async function sessionRowsAsText(): Promise<string[]> {
  const rows: Array<{ text: string }> = await admin.query('SELECT row_to_json(s)::text AS text FROM sessions s');
  return rows.map((row) => row.text);
}

async function redisContentsAsText(redis: RedisClientType): Promise<string[]> {
  const texts: string[] = [];
  for await (const keys of redis.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 100 })) {
    for (const key of keys) {
      const type = await redis.type(key);
      const value =
        type === 'hash' ? JSON.stringify(await redis.hGetAll(key)) : type === 'zset' ? JSON.stringify(await redis.zRange(key, 0, -1)) : await redis.get(key);
      texts.push(key, value ?? '');
    }
  }
  return texts;
}

/** A federated user of the tenant, as a first sign-in provisions one. */
async function newPerson(tenantId: string): Promise<{ id: string; subject: string }> {
  const identity: FederatedIdentity = {
    protocol: 'oidc',
    subject: randomBytes(8).toString('hex'),
    entraObjectId: undefined,
    entraTenantId: undefined,
    givenName: 'Anne',
    surname: 'de Vries',
    email: 'anne.devries@gemeente.example.nl',
    displayName: undefined,
    department: 'Burgerzaken',
    groups: [],
    roles: [],
    deviceId: undefined,
    idpSessionId: undefined,
  };
  return { id: (await new UserDirectory(migrated.app).provisionFederated(tenantId, identity)).id, subject: identity.subject };
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const BACKENDS: readonly Backend[] = [
  {
    name: 'PostgresSessionStore',
    open: async (policy) => new PostgresSessionStore(migrated.app, policy),
    unreachable: () => new PostgresSessionStore(new DataSource({ type: 'postgres' })),
    storedText: sessionRowsAsText,
    age: async (_token, sessionId, ageMs) => {
      await admin.query('UPDATE sessions SET last_seen_at = now() - make_interval(secs => $2::double precision / 1000) WHERE id = $1', [sessionId, ageMs]);
    },
  },
  {
    name: 'RedisSessionStore',
    open: async (policy) => new RedisSessionStore(await connectRedis(), migrated.app, { keyPrefix, policy }),
    unreachable: () => new RedisSessionStore(createClient({ url: redisTestUrl() }), new DataSource({ type: 'postgres' }), { keyPrefix }),
    storedText: async () => [...(await redisContentsAsText(redisClients[0]!)), ...(await sessionRowsAsText())],
    age: async (token, _sessionId, ageMs, idleTimeoutMs) => {
      const redis = redisClients[0]!;
      const record = `${keyPrefix}session:${tokenHash(token)}`;
      const lastSeen = (await redisNow(redis)) - ageMs;
      await redis.hSet(record, 'lastSeenAt', String(lastSeen));
      await redis.pExpireAt(record, lastSeen + idleTimeoutMs);
    },
  },
];

beforeAll(async () => {
  migrated = await createMigratedTestDatabase(IDENTITY_MIGRATIONS);
  admin = await openAppDataSource({ url: migrated.database.migrationUrl });
  await connectRedis();
});

afterAll(async () => {
  const inspector = redisClients[0];
  if (inspector) {
    for await (const keys of inspector.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 100 })) if (keys.length > 0) await inspector.del(keys);
  }
  await Promise.all(redisClients.map((client) => client.close()));
  await admin?.destroy();
  await migrated?.close();
});

describe.each(BACKENDS)('session store contract: $name', (backend) => {
  let store: SessionStore;
  let tenantId: string;
  let otherTenantId: string;
  let userId: string;
  let subject: string;

  const newSession = (overrides: Partial<NewSession> = {}): NewSession => ({
    userId,
    tenantId,
    authMethod: 'oidc',
    idpSessionId: 'sid-1',
    clientIp: CLIENT_IP,
    userAgent: 'Mozilla/5.0 test',
    ...overrides,
  });

  beforeAll(async () => {
    const tenants = new TenantDirectory(migrated.app);
    const slug = backend.name.toLowerCase();
    tenantId = (await tenants.create({ slug: `${slug}-a`, name: 'Gemeente A', authMode: 'federated' })).id;
    otherTenantId = (await tenants.create({ slug: `${slug}-b`, name: 'Gemeente B', authMode: 'federated' })).id;
    ({ id: userId, subject } = await newPerson(tenantId));
    store = await backend.open();
  });

  it('[SE-7.1] resolves a new session to its user, department and tenant access version', async () => {
    const { token, session } = await store.create(newSession());
    expect(session).toMatchObject({ userId, tenantId, authMethod: 'oidc', idpSessionId: 'sid-1', clientIp: CLIENT_IP, userAgent: 'Mozilla/5.0 test' });
    const resolved = await store.resolve(token, CLIENT_IP);
    expect(resolved).toMatchObject({
      id: session.id,
      userId,
      tenantId,
      authMethod: 'oidc',
      idpSessionId: 'sid-1',
      clientIp: CLIENT_IP,
      userAgent: 'Mozilla/5.0 test',
      department: 'Burgerzaken',
      accessVersion: '0',
      user: { idpSubject: subject, displayName: 'Anne de Vries', email: 'anne.devries@gemeente.example.nl' },
    });
    expect(resolved!.expiresAt.getTime() - resolved!.createdAt.getTime()).toBe(DEFAULT_SESSION_POLICY.absoluteTimeoutMs);
  });

  it('[TH-11] keeps only the SHA-256 of the token, never the token itself', async () => {
    const { token } = await store.create(newSession());
    const stored = (await backend.storedText()).join('\n');
    expect(stored).toContain(tokenHash(token));
    expect(stored).not.toContain(token);
  });

  it('[SE-7.1] issues a new random token at every sign-in (no session fixation)', async () => {
    const first = await store.create(newSession());
    const second = await store.create(newSession());
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second.token).not.toBe(first.token);
    expect(second.session.id).not.toBe(first.session.id);
    expect((await store.resolve(first.token, CLIENT_IP))?.id).toBe(first.session.id);
    expect((await store.resolve(second.token, CLIENT_IP))?.id).toBe(second.session.id);
  });

  it('[SE-7.1] ends a session nobody used for the idle timeout', async () => {
    const shortIdle = await backend.open({ idleTimeoutMs: ONE_SECOND_MS, absoluteTimeoutMs: 60_000 });
    const { token, session } = await shortIdle.create(newSession());
    expect(await shortIdle.resolve(token, CLIENT_IP)).toBeDefined();
    await sleep(PAST_ONE_SECOND_MS);
    expect(await shortIdle.resolve(token, CLIENT_IP)).toBeUndefined();
    expect((await shortIdle.listActive(tenantId, userId)).map((entry) => entry.id)).not.toContain(session.id);
  });

  it('[SE-7.1] ends a session at its absolute end, however recently it was used', async () => {
    const shortLife = await backend.open({ idleTimeoutMs: 60_000, absoluteTimeoutMs: ONE_SECOND_MS });
    const { token, session } = await shortLife.create(newSession());
    expect(await shortLife.resolve(token, CLIENT_IP)).toBeDefined();
    await sleep(PAST_ONE_SECOND_MS);
    expect(await shortLife.resolve(token, CLIENT_IP)).toBeUndefined();
    expect((await shortLife.listActive(tenantId, userId)).map((entry) => entry.id)).not.toContain(session.id);
  });

  it('[SE-7.1] records a use at most once a minute, and a recorded use keeps the session alive', async () => {
    const { token, session } = await store.create(newSession());
    await backend.age(token, session.id, DEFAULT_SESSION_POLICY.idleTimeoutMs - ONE_SECOND_MS, DEFAULT_SESSION_POLICY.idleTimeoutMs);
    const lastSeen = async () => (await store.listActive(tenantId, userId)).find((entry) => entry.id === session.id)?.lastSeenAt.getTime();
    const aged = await lastSeen();
    expect(await store.resolve(token, CLIENT_IP)).toBeDefined();
    const recorded = await lastSeen();
    expect(recorded! - aged!).toBeGreaterThan(DEFAULT_SESSION_POLICY.idleTimeoutMs - 2 * ONE_SECOND_MS);
    await sleep(PAST_ONE_SECOND_MS);
    expect(await store.resolve(token, CLIENT_IP)).toBeDefined();
    expect(await lastSeen()).toBe(recorded);
  });

  it('[SE-7.1] logout ends the session at once on every replica', async () => {
    const [replicaA, replicaB] = [store, await backend.open()];
    const { token, session } = await replicaA.create(newSession({ idpLogoutSealed: 'sealed-logout' }));
    expect(await replicaB.resolve(token, CLIENT_IP)).toBeDefined();
    expect(await replicaA.revoke(token)).toMatchObject({ id: session.id, userId, tenantId, idpLogoutSealed: 'sealed-logout' });
    expect(await replicaB.resolve(token, CLIENT_IP)).toBeUndefined();
    expect((await replicaB.listActive(tenantId, userId)).map((entry) => entry.id)).not.toContain(session.id);
    expect(await replicaB.revoke(token)).toBeUndefined();
  });

  it('[SE-7.1] ends a session by its public id within its own tenant only', async () => {
    const { token, session } = await store.create(newSession());
    expect(await store.revokeById(otherTenantId, session.id)).toBe(false);
    expect(await store.resolve(token, CLIENT_IP)).toBeDefined();
    expect(await store.revokeById(tenantId, session.id)).toBe(true);
    expect(await store.resolve(token, CLIENT_IP)).toBeUndefined();
    expect(await store.revokeById(tenantId, session.id)).toBe(false);
  });

  it('[SE-7.1] logs a user out everywhere, and nobody else', async () => {
    const leaving = (await newPerson(tenantId)).id;
    const staying = (await newPerson(tenantId)).id;
    const tokens = [(await store.create(newSession({ userId: leaving }))).token, (await store.create(newSession({ userId: leaving }))).token];
    const other = (await store.create(newSession({ userId: staying }))).token;
    expect(await store.revokeAllOfUser(tenantId, leaving)).toBe(2);
    for (const token of tokens) expect(await store.resolve(token, CLIENT_IP)).toBeUndefined();
    expect(await store.resolve(other, CLIENT_IP)).toBeDefined();
    expect(await store.listActive(tenantId, leaving)).toEqual([]);
    expect(await store.revokeAllOfUser(tenantId, leaving)).toBe(0);
  });

  it('[SE-7.1] lists the live sessions of a user, and of a whole tenant for its admin', async () => {
    const listed = (await newPerson(tenantId)).id;
    const colleague = (await newPerson(tenantId)).id;
    const elsewhere = (await newPerson(otherTenantId)).id;
    const first = await store.create(newSession({ userId: listed }));
    const second = await store.create(newSession({ userId: listed, authMethod: 'saml', clientIp: '192.0.2.11', userAgent: 'Firefox' }));
    const colleagues = await store.create(newSession({ userId: colleague }));
    const foreign = await store.create(newSession({ userId: elsewhere, tenantId: otherTenantId }));

    const mine = await store.listActive(tenantId, listed);
    expect(mine.map((entry) => entry.id).sort()).toEqual([first.session.id, second.session.id].sort());
    expect(mine.find((entry) => entry.id === second.session.id)).toMatchObject({
      userId: listed,
      tenantId,
      authMethod: 'saml',
      clientIp: '192.0.2.11',
      userAgent: 'Firefox',
    });
    const tenantWide = (await store.listActive(tenantId)).map((entry) => entry.id);
    expect(tenantWide).toEqual(expect.arrayContaining([first.session.id, second.session.id, colleagues.session.id]));
    expect(tenantWide).not.toContain(foreign.session.id);

    await store.revoke(first.token);
    expect((await store.listActive(tenantId, listed)).map((entry) => entry.id)).toEqual([second.session.id]);
    expect((await store.listActive(tenantId)).map((entry) => entry.id)).not.toContain(first.session.id);
  });

  it('[SE-7.1] stops the sessions of a suspended tenant at once, and only while it is suspended', async () => {
    const { token } = await store.create(newSession());
    await admin.query(`UPDATE tenants SET status = 'suspended' WHERE id = $1`, [tenantId]);
    try {
      expect(await store.resolve(token, CLIENT_IP)).toBeUndefined();
    } finally {
      await admin.query(`UPDATE tenants SET status = 'active' WHERE id = $1`, [tenantId]);
    }
    expect(await store.resolve(token, CLIENT_IP)).toBeDefined();
  });

  it("[SV-4] refuses a session used from outside its tenant's IP allow-list", async () => {
    const { token } = await store.create(newSession());
    await admin.query(`UPDATE tenants SET ip_allow_list = '{192.0.2.0/24}' WHERE id = $1`, [tenantId]);
    try {
      expect(await store.resolve(token, '192.0.2.77')).toBeDefined();
      expect(await store.resolve(token, '198.51.100.7')).toBeUndefined();
    } finally {
      await admin.query('UPDATE tenants SET ip_allow_list = NULL WHERE id = $1', [tenantId]);
    }
  });

  it('[SE-7.1] refuses a malformed token without asking the store', async () => {
    const cutOff = backend.unreachable();
    for (const malformed of ['', 'not a token', 'A'.repeat(42), 'A'.repeat(44), `${'A'.repeat(42)}=`]) {
      expect(await cutOff.resolve(malformed, CLIENT_IP)).toBeUndefined();
    }
    await expect(cutOff.resolve('A'.repeat(43), CLIENT_IP)).rejects.toThrow();
  });
});

describe('RedisSessionStore keys', () => {
  it('[SE-7.1] keeps its indexes as small as the live sessions, and lets idle records expire on their own', async () => {
    const redis = redisClients[0]!;
    const tenantId = (await new TenantDirectory(migrated.app).create({ slug: 'redis-indexes', name: 'Gemeente I', authMode: 'federated' })).id;
    const { id: userId } = await newPerson(tenantId);
    const shortIdle = new RedisSessionStore(redis, migrated.app, { keyPrefix, policy: { idleTimeoutMs: ONE_SECOND_MS, absoluteTimeoutMs: 60_000 } });
    const session: NewSession = { userId, tenantId, authMethod: 'oidc', idpSessionId: undefined, clientIp: CLIENT_IP, userAgent: undefined };
    const idle = await shortIdle.create(session);
    await sleep(PAST_ONE_SECOND_MS);
    const revoked = await shortIdle.create(session);
    await shortIdle.revoke(revoked.token);
    const live = await shortIdle.create(session);

    for (const index of [`${keyPrefix}user-sessions:${tenantId}:${userId}`, `${keyPrefix}tenant-sessions:${tenantId}`]) {
      expect(await redis.zRange(index, 0, -1)).toEqual([tokenHash(live.token)]);
      expect(await redis.pTTL(index)).toBeGreaterThan(0);
    }
    for (const ended of [idle, revoked]) {
      expect(await redis.exists([`${keyPrefix}session:${tokenHash(ended.token)}`, `${keyPrefix}session-id:${ended.session.id}`])).toBe(0);
    }
    for (const key of [`${keyPrefix}session:${tokenHash(live.token)}`, `${keyPrefix}session-id:${live.session.id}`]) {
      expect(await redis.pTTL(key)).toBeGreaterThan(0);
      expect(await redis.pTTL(key)).toBeLessThanOrEqual(ONE_SECOND_MS);
    }
  });
});
