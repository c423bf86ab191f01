import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/test-api.js';
import { TenantPeople, type Person } from '../support/tenant-people.js';

describe('roles and permissions over HTTP', () => {
  let service: TestApi;
  let people: TenantPeople;
  let tenantId: string;
  let admin: Person;
  let secondAdmin: Person;
  let newcomer: Person;

  beforeAll(async () => {
    service = await startTestApi();
    people = await TenantPeople.open(service);
    tenantId = await people.tenant('gemeente-r');
    admin = await people.person(tenantId, { roles: ['tenant-admin'] });
    secondAdmin = await people.person(tenantId, { roles: ['tenant-admin'] });
    newcomer = await people.person(tenantId);
  });
  afterAll(async () => {
    await people?.close();
    await service?.close();
  });

  it('[SE-4.1] gives a just-in-time user no role and no permission, so every guarded route answers 403', async () => {
    const me = await newcomer.call('GET', '/api/access/me');
    expect(me.status).toBe(200);
    expect(me.json()).toMatchObject({ roles: [], permissions: [] });
    for (const path of ['/api/access/roles', '/api/access/review', '/api/cases']) {
      const response = await newcomer.call('GET', path);
      expect(response.status).toBe(403);
      expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    }
  });

  it('[SV-7.9] records a refused request as access.denied with the route and the missing permission', async () => {
    await newcomer.call('GET', '/api/access/review');
    const denied = (await service.auditEvents()).find(
      (event) => event.action === 'access.denied' && event.actor.userId === newcomer.userId && event.target?.id === 'GET /api/access/review',
    );
    expect(denied).toMatchObject({ outcome: 'denied', target: { type: 'route', id: 'GET /api/access/review' }, details: { missingPermissions: ['access-review:read'] } });
  });

  it('[SE-4.1] [SE-3.2] lets a tenant admin grant a role, which takes effect on the next request and is audited', async () => {
    expect((await admin.call('PUT', `/api/access/users/${newcomer.userId}/roles/viewer`)).status).toBe(204);
    expect((await newcomer.call('GET', '/api/access/me')).json()).toMatchObject({ roles: ['viewer'], permissions: ['cases:read-summary'] });
    expect((await newcomer.call('GET', '/api/cases')).status).toBe(200);
    const granted = (await service.auditEvents()).find((event) => event.action === 'authz.role.granted' && event.target?.id === newcomer.userId);
    expect(granted).toMatchObject({ actor: { userId: admin.userId }, details: { role: 'viewer', source: 'in-app' } });
  });

  it('[SE-4.1] refuses changing one\'s own roles', async () => {
    const response = await admin.call('PUT', `/api/access/users/${admin.userId}/roles/member`);
    expect(response.status).toBe(403);
    expect(response.json()).toMatchObject({ type: 'urn:veilig:problem:own-roles' });
  });

  it('[SE-4.1] refuses removing the last tenant admin, whoever asks', async () => {
    expect((await admin.call('POST', '/api/access/roles', { name: 'role-manager', permissions: ['roles:manage'] })).status).toBe(201);
    const manager = await people.person(tenantId, { roles: ['role-manager'] });
    expect((await admin.call('DELETE', `/api/access/users/${secondAdmin.userId}/roles/tenant-admin`)).status).toBe(204);
    const last = await manager.call('DELETE', `/api/access/users/${admin.userId}/roles/tenant-admin`);
    expect(last.status).toBe(409);
    expect(last.json()).toMatchObject({ type: 'urn:veilig:problem:last-admin' });
    await expect(people.revoke(tenantId, admin.userId, 'tenant-admin')).rejects.toMatchObject({ refusal: 'last-admin' });
    expect((await admin.call('GET', '/api/access/roles')).status).toBe(200);
    await people.grant(tenantId, secondAdmin.userId, 'tenant-admin');
  });

  it('[SE-4.1] refuses widening a custom role one holds oneself', async () => {
    expect((await admin.call('POST', '/api/access/roles', { name: 'helpdesk', permissions: ['sessions:manage'] })).status).toBe(201);
    await people.grant(tenantId, admin.userId, 'helpdesk');
    const widened = await admin.call('PUT', '/api/access/roles/helpdesk', { permissions: ['sessions:manage', 'cases:read-all'] });
    expect(widened.status).toBe(403);
    expect(widened.json()).toMatchObject({ type: 'urn:veilig:problem:self-elevation' });
    expect((await secondAdmin.call('PUT', '/api/access/roles/helpdesk', { permissions: ['sessions:manage', 'sso:read'] })).status).toBe(204);
  });

  it('[SE-4.1] refuses unknown roles and permissions with clear errors', async () => {
    const unknownRole = await admin.call('PUT', `/api/access/users/${newcomer.userId}/roles/superuser`);
    expect(unknownRole.status).toBe(422);
    expect(unknownRole.json()).toMatchObject({ type: 'urn:veilig:problem:unknown-role' });
    const unknownPermission = await admin.call('POST', '/api/access/roles', { name: 'coordinator', permissions: ['cases:read-all', 'cases:fly'] });
    expect(unknownPermission.status).toBe(422);
    expect(unknownPermission.json()).toMatchObject({ type: 'urn:veilig:problem:unknown-permission', detail: 'Unknown permissions: cases:fly.' });
    const malformed = await admin.call('POST', '/api/access/roles', { name: 'x', permissions: 'all' });
    expect(malformed.status).toBe(400);
  });

  it('[SV-7.3] lists exactly the grants in the database in the access review, as JSON and CSV', async () => {
    const review = await admin.call('GET', '/api/access/review');
    expect(review.status).toBe(200);
    const items = review.json<{ items: Array<{ userId: string; roles: Array<{ name: string; source: string }> }> }>().items;
    const fromDatabase = await people.database.query<Array<{ user_id: string; role_name: string; source: string }>>(
      'SELECT user_id, role_name, source FROM role_assignments WHERE tenant_id = $1 ORDER BY user_id, role_name',
      [tenantId],
    );
    const listed = items.flatMap((item) => item.roles.map((role) => ({ user_id: item.userId, role_name: role.name, source: role.source })));
    expect(listed.sort((a, b) => `${a.user_id}${a.role_name}`.localeCompare(`${b.user_id}${b.role_name}`))).toEqual(fromDatabase);
    const csv = await admin.call('GET', '/api/access/review?format=csv');
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body.split('\r\n')[0]).toBe('user_id,display_name,email,idp_subject,last_login_at,roles,permissions');
    expect(csv.body.trim().split('\r\n')).toHaveLength(items.length + 1);
  });
});
