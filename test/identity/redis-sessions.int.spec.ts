import { createHash, randomBytes } from 'node:crypto';
import { createClient, type RedisClientType } from '@redis/client';
import { PostgresSessionStore, RedisSessionStore, TenantDirectory, UserDirectory } from '@veilig/identity';
import { ConfigError, loadConfig } from '@veilig/platform-config';
import { openAppDataSource } from '@veilig/platform-database';
import { freePort, redisTestUrl } from '@veilig/platform-testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../support/http-client.js';
import { startTestApi, type TestApi } from '../support/test-api.js';

describe('sessions in Redis (SESSION_STORE=redis)', () => {
  const keyPrefix = `veilig-test:redis-sessions:${randomBytes(6).toString('hex')}:`;
  let service: TestApi;
  let owner: DataSource;
  let redis: RedisClientType;
  let sessions: RedisSessionStore;
  let tenantId: string;
  let userId: string;
  const call = (path: string, token?: string, method = 'GET') =>
    send('https', service.port(), { path, method, ca: service.servedCertificatePem(), headers: token ? { cookie: `__Host-session=${token}` } : {} });

  beforeAll(async () => {
    service = await startTestApi({ SESSION_STORE: 'redis', REDIS_URL: redisTestUrl(), REDIS_KEY_PREFIX: keyPrefix });
    owner = await openAppDataSource({ url: service.database.migrationUrl });
    redis = createClient({ url: redisTestUrl() });
    await redis.connect();
    // A sign-in of the running service writes exactly this: same Redis, same prefix.
    sessions = new RedisSessionStore(redis, owner, { keyPrefix });
    tenantId = (await new TenantDirectory(owner).create({ slug: 'gemeente-r', name: 'Gemeente R', authMode: 'federated' })).id;
    userId = (
      await new UserDirectory(owner).provisionFederated(tenantId, {
        protocol: 'oidc',
        subject: 'oid-r',
        entraObjectId: 'oid-r',
        entraTenantId: undefined,
        givenName: 'Ruben',
        surname: 'Smit',
        email: 'ruben@gemeente-r.example.nl',
        displayName: undefined,
        department: 'Publiekszaken',
        groups: [],
        roles: [],
        deviceId: undefined,
        idpSessionId: undefined,
      })
    ).id;
  });
  afterAll(async () => {
    if (redis?.isOpen) {
      for await (const keys of redis.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 100 })) if (keys.length > 0) await redis.del(keys);
      await redis.close();
    }
    await owner?.destroy();
    await service?.close();
  });

  const signIn = async () =>
    (await sessions.create({ userId, tenantId, authMethod: 'oidc', idpSessionId: undefined, clientIp: '127.0.0.1', userAgent: 'test' })).token;

  it('[SE-7.1] serves a session kept in Redis over HTTP, and logout ends it', async () => {
    const token = await signIn();
    const current = await call('/api/session', token);
    expect(current.status).toBe(200);
    expect(current.json()).toMatchObject({ user: { id: userId, displayName: 'Ruben Smit', department: 'Publiekszaken' }, tenantId });
    expect(await owner.query('SELECT id FROM sessions')).toEqual([]);

    expect((await call('/logout', token, 'POST')).status).toBe(303);
    expect((await call('/api/session', token)).status).toBe(401);
    expect(await redis.exists(`${keyPrefix}session:${createHash('sha256').update(token).digest('hex')}`)).toBe(0);
    expect(JSON.stringify(service.logs)).not.toContain(redisTestUrl());
  });

  it('[SE-7.1] lets a user see their sessions and end another one', async () => {
    const mine = await signIn();
    const other = await signIn();
    const listed = (await call('/api/sessions', mine)).json<{ items: Array<{ id: string; current: boolean }> }>();
    expect(listed.items.filter((item) => item.current)).toHaveLength(1);
    const otherId = listed.items.find((item) => !item.current)!.id;
    expect((await call(`/api/sessions/${otherId}`, mine, 'DELETE')).status).toBe(204);
    expect((await call('/api/session', other)).status).toBe(401);
    expect((await call('/api/session', mine)).status).toBe(200);
  });

  it('[SE-7.1] accepts no session from the PostgreSQL store once sessions live in Redis', async () => {
    const { token } = await new PostgresSessionStore(owner).create({
      userId,
      tenantId,
      authMethod: 'oidc',
      idpSessionId: undefined,
      clientIp: '127.0.0.1',
      userAgent: 'test',
    });
    expect((await call('/api/session', token)).status).toBe(401);
  });

  it('[SE-7.1] does not start without the Redis it is configured with', async () => {
    await expect(startTestApi({ SESSION_STORE: 'redis', REDIS_URL: `redis://127.0.0.1:${await freePort()}` })).rejects.toThrow(/ECONNREFUSED/);
    expect(() => loadConfig({ SESSION_STORE: 'redis' })).toThrow('REDIS_URL: required with SESSION_STORE=redis');
  });

  it('[SE-6.1] requires TLS to Redis in production unless it runs on the same host', () => {
    const redisProblems = (redisUrl: string): string[] => {
      try {
        loadConfig({ NODE_ENV: 'production', SESSION_STORE: 'redis', REDIS_URL: redisUrl });
        return [];
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        return error.problems.filter((problem) => problem.startsWith('REDIS_URL:'));
      }
    };
    expect(redisProblems('redis://:password@redis.internal:6379')).toEqual([expect.stringMatching(/^REDIS_URL: must be rediss:\/\/ \(TLS\) in production/)]);
    expect(redisProblems('rediss://:password@redis.internal:6380')).toEqual([]);
    expect(redisProblems('redis://127.0.0.1:6379')).toEqual([]);
    expect(redisProblems('redis://[::1]:6379')).toEqual([]);
    expect(redisProblems('https://redis.internal')).toEqual(['REDIS_URL: must be a redis:// or rediss:// URL']);
  });
});
