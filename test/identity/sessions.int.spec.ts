import { openAppDataSource } from '@veilig/platform-database';
import { PostgresSessionStore, TenantDirectory, UserDirectory, type SessionStore } from '@veilig/identity';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../support/http-client.js';
import { startTestApi, type TestApi } from '../support/test-api.js';

describe('sessions over HTTP', () => {
  let service: TestApi;
  let owner: DataSource;
  let sessions: SessionStore;
  let tenantId: string;
  let userId: string;
  const get = (path: string, cookie?: string, method = 'GET') =>
    send('https', service.port(), { path, method, ca: service.servedCertificatePem(), headers: cookie ? { cookie } : {} });

  beforeAll(async () => {
    service = await startTestApi();
    owner = await openAppDataSource({ url: service.database.migrationUrl });
    sessions = new PostgresSessionStore(owner);
    tenantId = (await new TenantDirectory(owner).create({ slug: 'gemeente-s', name: 'Gemeente S', authMode: 'federated' })).id;
    userId = (
      await new UserDirectory(owner).provisionFederated(tenantId, {
        protocol: 'saml',
        subject: 'oid-s',
        entraObjectId: 'oid-s',
        entraTenantId: undefined,
        givenName: 'Sanne',
        surname: 'Bakker',
        email: 'sanne@gemeente-s.example.nl',
        displayName: undefined,
        department: 'ICT',
        groups: [],
        roles: [],
        deviceId: undefined,
        idpSessionId: undefined,
      })
    ).id;
  });
  afterAll(async () => {
    await owner?.destroy();
    await service?.close();
  });

  const signIn = async () =>
    (await sessions.create({ userId, tenantId, authMethod: 'saml', idpSessionId: undefined, clientIp: '127.0.0.1', userAgent: 'test' })).token;

  it('[SE-7.2] [SE-4.1] denies every route that is not public to a request without a session', async () => {
    const attempts = [
      await get('/api/session'),
      await get('/api/sessions'),
      await get('/api/sessions/6f1c1f3e-0000-4000-8000-000000000000', undefined, 'DELETE'),
    ];
    for (const response of attempts) {
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    }
  });

  it('[SE-7.1] accepts the __Host- session cookie only', async () => {
    const token = await signIn();
    expect((await get('/api/session', `__Host-session=${token}`)).status).toBe(200);
    expect((await get('/api/session', `session=${token}`)).status).toBe(401);
    expect((await get('/api/session', `__Host-session=${token.slice(1)}x`)).status).toBe(401);
  });

  it('[SE-7.1] [SV-4] tells the signed-in user who they are', async () => {
    const response = await get('/api/session', `__Host-session=${await signIn()}`);
    expect(response.json()).toMatchObject({
      user: { id: userId, displayName: 'Sanne Bakker', email: 'sanne@gemeente-s.example.nl', department: 'ICT' },
      tenantId,
      session: { current: true, authMethod: 'saml' },
    });
  });

  it('[SE-7.1] lets a user see their sessions and end another one', async () => {
    const mine = await signIn();
    const other = await signIn();
    const listed = (await get('/api/sessions', `__Host-session=${mine}`)).json<{ items: Array<{ id: string; current: boolean }> }>();
    const otherId = listed.items.find((item) => !item.current)!.id;
    expect(listed.items.filter((item) => item.current)).toHaveLength(1);
    expect((await get(`/api/sessions/${otherId}`, `__Host-session=${mine}`, 'DELETE')).status).toBe(204);
    expect((await get('/api/session', `__Host-session=${other}`)).status).toBe(401);
    expect((await get(`/api/sessions/${otherId}`, `__Host-session=${mine}`, 'DELETE')).status).toBe(404);
    expect((await get('/api/sessions/not-a-uuid', `__Host-session=${mine}`, 'DELETE')).status).toBe(400);
  });

  it('[SE-7.1] [TH-11] [SV-7.9] logout ends the session, clears the cookie and records the logoff', async () => {
    const token = await signIn();
    const response = await get('/logout', `__Host-session=${token}`, 'POST');
    expect(response.status).toBe(303);
    expect(response.headers['location']).toBe('/');
    expect(response.headers['set-cookie']).toEqual(['__Host-session=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0']);
    expect((await get('/api/session', `__Host-session=${token}`)).status).toBe(401);
    const logoff = (await service.auditEvents()).find((event) => event.action === 'auth.logoff');
    expect(logoff).toMatchObject({ tenantId, actor: { type: 'user', userId }, outcome: 'success' });
  });
});
