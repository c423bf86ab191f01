import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestIdp } from '../../libs/identity/src/lib/saml/testing/test-idp.js';
import { startTestApi, type TestApi } from '../support/test-api.js';
import { TenantPeople, type Person } from '../support/tenant-people.js';

describe('tenant administration of sessions and SSO connections', () => {
  let service: TestApi;
  let people: TenantPeople;
  let admin: Person;
  let member: Person;
  let otherAdmin: Person;

  beforeAll(async () => {
    service = await startTestApi();
    people = await TenantPeople.open(service);
    const tenantId = await people.tenant('gemeente-t');
    admin = await people.person(tenantId, { roles: ['tenant-admin'] });
    member = await people.person(tenantId, { roles: ['member'] });
    otherAdmin = await people.person(await people.tenant('gemeente-u'), { roles: ['tenant-admin'] });
  });
  afterAll(async () => {
    await people?.close();
    await service?.close();
  });

  it('[SE-7.1] [SE-4.1] lets a tenant admin list every session of the tenant, and nobody else', async () => {
    const listed = await admin.call('GET', '/api/admin/sessions');
    expect(listed.status).toBe(200);
    const userIds = listed.json<{ items: Array<{ userId: string }> }>().items.map((item) => item.userId);
    expect(userIds).toEqual(expect.arrayContaining([admin.userId, member.userId]));
    expect(userIds).not.toContain(otherAdmin.userId);
    expect((await member.call('GET', '/api/admin/sessions')).status).toBe(403);
  });

  it('[SE-7.1] [SE-3.2] lets a tenant admin end another user\'s sessions, audited with the admin as actor', async () => {
    const victim = await people.person(admin.tenantId, { roles: ['viewer'] });
    expect((await victim.call('GET', '/api/session')).status).toBe(200);
    expect((await otherAdmin.call('DELETE', `/api/admin/users/${victim.userId}/sessions`)).status).toBe(404);
    expect((await admin.call('DELETE', `/api/admin/users/${victim.userId}/sessions`)).status).toBe(204);
    expect((await victim.call('GET', '/api/session')).status).toBe(401);
    const revoked = (await service.auditEvents()).find((event) => event.action === 'session.revoked' && event.target?.id === victim.userId);
    expect(revoked).toMatchObject({ tenantId: admin.tenantId, actor: { userId: admin.userId }, outcome: 'success' });
  });

  it('[SE-7.1] [SE-6.2] refuses ending a session of another tenant as if it did not exist', async () => {
    const sessions = (await otherAdmin.call('GET', '/api/admin/sessions')).json<{ items: Array<{ id: string }> }>().items;
    const response = await admin.call('DELETE', `/api/admin/sessions/${sessions[0]!.id}`);
    expect(response.status).toBe(404);
    expect((await otherAdmin.call('GET', '/api/session')).status).toBe(200);
  });

  it('[SE-7.1] adds, lists and removes SAML and OIDC connections through the API, never returning a secret', async () => {
    const idp = await TestIdp.create({ entityId: 'urn:placeholder', acsUrl: 'https://localhost/x', sloUrl: 'https://localhost/y' });
    const saml = await admin.call('POST', '/api/admin/sso-connections', { protocol: 'saml', name: 'entra-saml', metadataXml: idp.federationMetadataXml() });
    expect(saml.status).toBe(201);
    expect(saml.json()).toMatchObject({ protocol: 'saml', acsUrl: expect.stringMatching(/\/sso\/saml\/[0-9a-f-]{36}\/acs$/), certificatePem: expect.stringContaining('BEGIN CERTIFICATE') });
    const oidc = await admin.call('POST', '/api/admin/sso-connections', {
      protocol: 'oidc',
      name: 'entra-oidc',
      issuer: 'https://login.microsoftonline.com/9f0a8d2c-3b1e-4c5d-8e7f-0a1b2c3d4e5f/v2.0',
      entraTenantId: '9f0a8d2c-3b1e-4c5d-8e7f-0a1b2c3d4e5f',
      clientId: 'c0ffee00-0000-4000-8000-000000000001',
    });
    expect(oidc.status).toBe(201);
    expect(oidc.json()).toMatchObject({ redirectUri: expect.stringMatching(/\/callback$/), certificatePem: expect.stringContaining('BEGIN CERTIFICATE') });
    const listed = await admin.call('GET', '/api/admin/sso-connections');
    expect(listed.json<{ items: Array<{ name: string }> }>().items.map((item) => item.name)).toEqual(['entra-oidc', 'entra-saml']);
    expect(listed.body).not.toMatch(/PRIVATE KEY|clientSecret|secrets/);
    expect((await otherAdmin.call('GET', '/api/admin/sso-connections')).json()).toEqual({ items: [] });
    const samlId = saml.json<{ id: string }>().id;
    expect((await otherAdmin.call('DELETE', `/api/admin/sso-connections/${samlId}`)).status).toBe(404);
    expect((await admin.call('DELETE', `/api/admin/sso-connections/${samlId}`)).status).toBe(204);
    const events = (await service.auditEvents()).filter((event) => event.action.startsWith('sso.connection.') && event.tenantId === admin.tenantId);
    expect(events.map((event) => event.action)).toEqual(['sso.connection.created', 'sso.connection.created', 'sso.connection.removed']);
    expect(events.every((event) => event.actor.userId === admin.userId)).toBe(true);
  });

  it('[SE-7.1] refuses a bad connection with a clear 4xx, never a 500', async () => {
    const cases: Array<[unknown, number]> = [
      [{ protocol: 'saml', name: 'x', metadataXml: '<not-metadata/>' }, 422],
      [{ protocol: 'saml', name: 'x', metadataXml: '<x/>', metadataUrl: 'https://idp.example/metadata' }, 400],
      [{ protocol: 'saml', name: 'x', metadataUrl: 'http://idp.example/metadata' }, 400],
      [{ protocol: 'oidc', name: 'y', issuer: 'https://login.microsoftonline.com/common/v2.0', entraTenantId: 'not-a-uuid', clientId: 'c' }, 400],
      [{ protocol: 'ldap', name: 'z' }, 400],
    ];
    for (const [body, status] of cases) {
      const response = await admin.call('POST', '/api/admin/sso-connections', body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    }
    expect((await member.call('POST', '/api/admin/sso-connections', cases[0]![0])).status).toBe(403);
  });
});
