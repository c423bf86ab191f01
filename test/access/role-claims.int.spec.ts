import { inflateRawSync } from 'node:zlib';
import type { AccessAdministration, RoleClaims } from '@veilig/access';
import { ENTRA_SAML_CLAIMS, LoggingIdentityEvents, SsoAdministration, SsoConnectionRepository, TenantDirectory } from '@veilig/identity';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64, TestIdp } from '../../libs/identity/src/lib/saml/testing/test-idp.js';
import { secretBoxFrom } from '../../apps/api/src/start-api.js';
import { send, type TestResponse } from '../support/http-client.js';
import { startTestApi, type TestApi } from '../support/test-api.js';
import { TenantPeople, type Person } from '../support/tenant-people.js';

/**
 * IdP claims to roles (SE-4.1): a tenant maps Entra app roles and group ids on an SSO connection
 * to roles, and every federated sign-in makes the user's grants from that connection exactly what
 * the mappings make of the claims, leaving in-app grants alone. Driven as a sign-in drives it
 * (AccessAdministration.applyRoleClaims through the operator's wiring, on real connection rows),
 * and once end to end through a real SAML sign-in.
 */

const ORIGIN = 'https://localhost:3443';
const ADMIN_ROLE_CLAIM = 'Veilig.Admin';
const MEMBER_GROUP = '6b1f3c0e-9d2a-4e57-8c41-2f7a9e0d5b13';
const OPERATOR = { kind: 'operator', operator: 'test' } as const;

interface Assignment {
  role_name: string;
  source: string;
  connection_id: string | null;
}

describe('IdP role claims', () => {
  let service: TestApi;
  let people: TenantPeople;
  let administration: AccessAdministration;
  let tenantId: string;
  let connectionId: string;
  let admin: Person;

  const signInAudit = (userId: string) => ({ actor: { type: 'user' as const, userId }, device: { ip: '192.0.2.10', userAgent: 'test-browser' }, requestId: 'sign-in' });
  const signIn = (person: Person, claims: Partial<Pick<RoleClaims, 'roles' | 'groups' | 'connectionId'>>) =>
    administration.applyRoleClaims(
      { tenantId, userId: person.userId, connectionId: claims.connectionId ?? connectionId, roles: claims.roles ?? [], groups: claims.groups ?? [] },
      signInAudit(person.userId),
    );
  const assignments = (userId: string): Promise<Assignment[]> =>
    people.database.query('SELECT role_name, source, connection_id FROM role_assignments WHERE user_id = $1 ORDER BY role_name, source', [userId]);
  const accessVersion = async (): Promise<string> =>
    ((await people.database.query('SELECT access_version::text AS version FROM tenants WHERE id = $1', [tenantId])) as Array<{ version: string }>)[0]!.version;

  beforeAll(async () => {
    service = await startTestApi({ PUBLIC_ORIGIN: ORIGIN });
    people = await TenantPeople.open(service);
    administration = people.administration();
    tenantId = await people.tenant('gemeente-r');
    connectionId = await people.ssoConnection(tenantId, 'entra');
    admin = await people.person(tenantId, { roles: ['tenant-admin'] });
  });
  afterAll(async () => {
    await people?.close();
    await service?.close();
  });

  it('[SE-4.1] [SE-3.2] stores the claim mappings of a connection, readable over HTTP, and audits the change', async () => {
    await administration.setMappings(OPERATOR, tenantId, connectionId, [
      { claim: 'roles', value: ADMIN_ROLE_CLAIM, roleName: 'tenant-admin' },
      { claim: 'groups', value: MEMBER_GROUP, roleName: 'member' },
    ]);
    expect((await admin.call('GET', `/api/access/connections/${connectionId}/mappings`)).json()).toEqual({
      items: [
        { claim: 'groups', value: MEMBER_GROUP, role: 'member' },
        { claim: 'roles', value: ADMIN_ROLE_CLAIM, role: 'tenant-admin' },
      ],
    });
    const changed = (await service.auditEvents()).filter((event) => event.action === 'authz.mapping.changed' && event.target?.id === connectionId);
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({
      tenantId,
      actor: { type: 'operator', operator: 'test' },
      details: { mappings: [`roles:${ADMIN_ROLE_CLAIM}=>tenant-admin`, `groups:${MEMBER_GROUP}=>member`] },
    });
    await expect(
      administration.setMappings(OPERATOR, tenantId, connectionId, [{ claim: 'roles', value: 'Veilig.God', roleName: 'superuser' }]),
    ).rejects.toMatchObject({ refusal: 'unknown-role' });
  });

  it('[SE-4.1] refuses a mapping that would grant its author, through their own claims, a role they do not hold', async () => {
    expect((await admin.call('POST', '/api/access/roles', { name: 'mapping-manager', permissions: ['roles:manage', 'roles:read'] })).status).toBe(201);
    const manager = await people.person(tenantId, { roles: ['mapping-manager'] });
    const ownGroup = 'A1B2C3D4-0000-4000-8000-00000000000A';
    await signIn(manager, { groups: [ownGroup] });
    const current = (await manager.call('GET', `/api/access/connections/${connectionId}/mappings`)).json<{ items: Array<{ claim: string; value: string; role: string }> }>().items;
    const elevating = await manager.call('PUT', `/api/access/connections/${connectionId}/mappings`, {
      mappings: [...current, { claim: 'groups', value: ownGroup, role: 'tenant-admin' }],
    });
    expect(elevating.status).toBe(403);
    expect(elevating.json()).toMatchObject({ type: 'urn:veilig:problem:self-elevation' });
    // Group object ids match whatever their case: the same group in lower case is the same group.
    const lowerCase = await manager.call('PUT', `/api/access/connections/${connectionId}/mappings`, {
      mappings: [...current, { claim: 'groups', value: ownGroup.toLowerCase(), role: 'tenant-admin' }],
    });
    expect(lowerCase.status).toBe(403);
    expect((await manager.call('GET', `/api/access/connections/${connectionId}/mappings`)).json()).toEqual({ items: current });
  });

  it('[SE-4.1] grants at sign-in exactly the roles the claims map to, from the IdP, and they take effect on the next request', async () => {
    const person = await people.person(tenantId);
    await signIn(person, { roles: [ADMIN_ROLE_CLAIM, 'Some.Other.Role'], groups: [MEMBER_GROUP, 'f0000000-0000-4000-8000-000000000000'] });
    expect(await assignments(person.userId)).toEqual([
      { role_name: 'member', source: 'idp', connection_id: connectionId },
      { role_name: 'tenant-admin', source: 'idp', connection_id: connectionId },
    ]);
    expect((await person.call('GET', '/api/access/me')).json()).toMatchObject({ roles: ['member', 'tenant-admin'] });
    const review = (await admin.call('GET', '/api/access/review')).json<{ items: Array<{ userId: string; roles: Array<{ name: string; source: string; connectionId: string | null }> }> }>();
    expect(review.items.find((item) => item.userId === person.userId)?.roles.map(({ name, source, connectionId: via }) => ({ name, source, via }))).toEqual([
      { name: 'member', source: 'idp', via: connectionId },
      { name: 'tenant-admin', source: 'idp', via: connectionId },
    ]);
  });

  it('[SE-4.1] takes an IdP grant away at the next sign-in without its claim, and leaves in-app grants of the same and other roles', async () => {
    const person = await people.person(tenantId, { roles: ['member', 'viewer'] });
    await signIn(person, { roles: [ADMIN_ROLE_CLAIM], groups: [MEMBER_GROUP] });
    expect(await assignments(person.userId)).toEqual([
      { role_name: 'member', source: 'idp', connection_id: connectionId },
      { role_name: 'member', source: 'in-app', connection_id: null },
      { role_name: 'tenant-admin', source: 'idp', connection_id: connectionId },
      { role_name: 'viewer', source: 'in-app', connection_id: null },
    ]);
    expect((await person.call('GET', '/api/access/roles')).status).toBe(200);

    await signIn(person, { roles: [], groups: [] });
    expect(await assignments(person.userId)).toEqual([
      { role_name: 'member', source: 'in-app', connection_id: null },
      { role_name: 'viewer', source: 'in-app', connection_id: null },
    ]);
    // Takes effect at once in the open session, not at its next sign-in.
    expect((await person.call('GET', '/api/access/me')).json()).toMatchObject({ roles: ['member', 'viewer'] });
    expect((await person.call('GET', '/api/access/roles')).status).toBe(403);
    expect((await person.call('GET', '/api/cases')).status).toBe(200);
  });

  it('[SE-4.1] keeps an IdP grant out of reach of in-app revocation: it changes in the IdP', async () => {
    const person = await people.person(tenantId);
    await signIn(person, { groups: [MEMBER_GROUP] });
    const revoked = await admin.call('DELETE', `/api/access/users/${person.userId}/roles/member`);
    expect(revoked.status).toBe(422);
    expect(revoked.json()).toMatchObject({ type: 'urn:veilig:problem:unknown-role' });
    expect(await assignments(person.userId)).toEqual([{ role_name: 'member', source: 'idp', connection_id: connectionId }]);
  });

  it('[SE-3.2] records each IdP grant and removal as authz.role.granted / authz.role.revoked with source idp, and a sign-in that changes nothing records nothing', async () => {
    const person = await people.person(tenantId);
    const events = async () => (await service.auditEvents()).filter((event) => event.target?.id === person.userId && event.action.startsWith('authz.role.'));

    await signIn(person, { roles: [ADMIN_ROLE_CLAIM], groups: [MEMBER_GROUP] });
    expect((await events()).map((event) => [event.action, event.details?.['role']])).toEqual([
      ['authz.role.granted', 'member'],
      ['authz.role.granted', 'tenant-admin'],
    ]);
    for (const event of await events()) {
      expect(event).toMatchObject({
        tenantId,
        outcome: 'success',
        actor: { type: 'user', userId: person.userId },
        target: { type: 'user', id: person.userId },
        device: { ip: '192.0.2.10', userAgent: 'test-browser' },
        details: { source: 'idp', connectionId },
      });
    }

    const versionBefore = await accessVersion();
    const countBefore = (await service.auditEvents()).length;
    await signIn(person, { roles: [ADMIN_ROLE_CLAIM], groups: [MEMBER_GROUP] });
    await signIn(person, { roles: [ADMIN_ROLE_CLAIM, 'Unmapped'], groups: [MEMBER_GROUP, 'unmapped-group'] });
    expect((await service.auditEvents()).length).toBe(countBefore);
    // Nothing written, so no cached permissions anywhere are thrown away either.
    expect(await accessVersion()).toBe(versionBefore);

    await signIn(person, { groups: [MEMBER_GROUP] });
    expect((await events()).slice(2).map((event) => [event.action, event.details?.['role'], event.details?.['source']])).toEqual([
      ['authz.role.revoked', 'tenant-admin', 'idp'],
    ]);
    expect(await accessVersion()).not.toBe(versionBefore);
  });

  it('[SE-4.1] gives a just-in-time user whose claims map to nothing no role at all', async () => {
    const person = await people.person(tenantId);
    await signIn(person, { roles: ['veilig.admin', 'Veilig.Admin.Extra'], groups: ['0d9a1c57-3e2b-4f60-8a7d-5c4b3a291e08', 'everyone'] });
    expect(await assignments(person.userId)).toEqual([]);
    expect((await person.call('GET', '/api/access/me')).json()).toMatchObject({ roles: [], permissions: [] });
    expect((await person.call('GET', '/api/cases')).status).toBe(403);
  });

  it('[SE-4.1] maps claims to a custom role, which then cannot be deleted while mapped', async () => {
    await administration.createRole(OPERATOR, tenantId, { name: 'coordinator', description: 'All cases', permissions: ['cases:read-all', 'cases:assign'] });
    const other = await people.ssoConnection(tenantId, 'entra-partner');
    await administration.setMappings(OPERATOR, tenantId, other, [{ claim: 'groups', value: 'coordinators', roleName: 'coordinator' }]);
    const person = await people.person(tenantId);
    await signIn(person, { connectionId: other, groups: ['coordinators'] });
    expect((await person.call('GET', '/api/access/me')).json()).toMatchObject({ roles: ['coordinator'], permissions: ['cases:assign', 'cases:read-all'] });
    const deleted = await admin.call('DELETE', '/api/access/roles/coordinator');
    expect(deleted.status).toBe(409);
    expect(deleted.json()).toMatchObject({ type: 'urn:veilig:problem:role-in-use' });
    // Mappings of one connection say nothing at another: the same claim through the first connection maps nothing.
    const elsewhere = await people.person(tenantId);
    await signIn(elsewhere, { groups: ['coordinators'] });
    expect(await assignments(elsewhere.userId)).toEqual([]);
  });

  it('[SE-4.1] keeps a role that a second connection still maps when the first stops mapping it', async () => {
    const second = await people.ssoConnection(tenantId, 'entra-second');
    await administration.setMappings(OPERATOR, tenantId, second, [{ claim: 'groups', value: 'second-members', roleName: 'member' }]);
    const person = await people.person(tenantId);
    await signIn(person, { groups: [MEMBER_GROUP] });
    await signIn(person, { connectionId: second, groups: ['second-members'] });
    // Signing in again through the first connection, whose claims no longer include the group.
    await signIn(person, { groups: [] });
    expect((await person.call('GET', '/api/access/me')).json()).toMatchObject({ roles: ['member'] });
  });

  it('[SE-4.1] refuses the same mapping twice in one list with a 4xx', async () => {
    const duplicated = { claim: 'groups', value: MEMBER_GROUP, role: 'member' };
    const response = await admin.call('PUT', `/api/access/connections/${connectionId}/mappings`, { mappings: [duplicated, duplicated] });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  describe('through a real SAML sign-in', () => {
    let idp: TestIdp;
    let samlConnectionId: string;
    let samlTenantId: string;

    const request = (path: string, options: { form?: Record<string, string>; cookie?: string } = {}): Promise<TestResponse> =>
      send('https', service.port(), {
        path,
        method: options.form ? 'POST' : 'GET',
        ca: service.servedCertificatePem(),
        headers: {
          ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...(options.cookie ? { cookie: options.cookie } : {}),
        },
        body: options.form ? new URLSearchParams(options.form).toString() : undefined,
      });
    const samlSignIn = async (claims: { roles?: string[]; groups?: string[] }): Promise<string> => {
      const started = await request(`/sso/saml/${samlConnectionId}/start`);
      expect(started.status).toBe(303);
      const authnRequest = inflateRawSync(Buffer.from(new URL(String(started.headers['location'])).searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
      const inResponseTo = /\sID="([^"]+)"/.exec(authnRequest)![1]!;
      const attributes: Record<string, string[]> = {
        [ENTRA_SAML_CLAIMS.objectId]: ['oid-role-claims'],
        [ENTRA_SAML_CLAIMS.givenName]: ['Sanne'],
        [ENTRA_SAML_CLAIMS.surname]: ['de Boer'],
        [ENTRA_SAML_CLAIMS.email]: ['s.deboer@gemeente-s.example.nl'],
        ...(claims.roles && { [ENTRA_SAML_CLAIMS.roles]: claims.roles }),
        ...(claims.groups && { [ENTRA_SAML_CLAIMS.groups]: claims.groups }),
      };
      const response = await request(`/sso/saml/${samlConnectionId}/acs`, { form: { SAMLResponse: base64(idp.response({ inResponseTo, attributes })) } });
      expect(response.status).toBe(303);
      const cookie = (response.headers['set-cookie'] ?? []).map((header) => /^(__Host-session=[^;]+)/.exec(header)?.[1]).find(Boolean);
      expect(cookie).toBeDefined();
      return cookie!;
    };

    beforeAll(async () => {
      const sso = new SsoAdministration(
        new TenantDirectory(people.database),
        new SsoConnectionRepository(people.database, secretBoxFrom(service.config)),
        new LoggingIdentityEvents(pino({ level: 'silent' })),
        { actor: { operator: 'test' }, production: false },
      );
      samlTenantId = (await sso.addTenant({ slug: 'gemeente-s', name: 'Gemeente S', authMode: 'federated' })).id;
      const placeholder = await TestIdp.create({ entityId: 'urn:placeholder', acsUrl: `${ORIGIN}/x`, sloUrl: `${ORIGIN}/y` });
      const { connection } = await sso.addSamlConnection('gemeente-s', 'entra', { metadataXml: placeholder.federationMetadataXml() });
      samlConnectionId = connection.id;
      const base = `${ORIGIN}/sso/saml/${connection.id}`;
      idp = placeholder.forServiceProvider({ entityId: `${base}/metadata`, acsUrl: `${base}/acs`, sloUrl: `${base}/slo` });
      await administration.setMappings(OPERATOR, samlTenantId, samlConnectionId, [
        { claim: 'roles', value: ADMIN_ROLE_CLAIM, roleName: 'tenant-admin' },
        { claim: 'groups', value: MEMBER_GROUP, roleName: 'member' },
      ]);
    });

    it('[SE-4.1] ends a SAML sign-in with the mapped roles, and a later one without the claim with fewer', async () => {
      const first = await samlSignIn({ roles: [ADMIN_ROLE_CLAIM], groups: [MEMBER_GROUP] });
      expect((await request('/api/access/me', { cookie: first })).json()).toMatchObject({ roles: ['member', 'tenant-admin'] });
      expect((await request('/api/access/review', { cookie: first })).status).toBe(200);

      // The last tenant admin stays, even when the IdP stops granting it; the refusal is recorded.
      const kept = await samlSignIn({ groups: [MEMBER_GROUP] });
      expect((await request('/api/access/me', { cookie: kept })).json()).toMatchObject({ roles: ['member', 'tenant-admin'] });
      const samlUserId = (await request('/api/session', { cookie: kept })).json<{ user: { id: string } }>().user.id;
      const keptEvent = (await service.auditEvents()).find((event) => event.action === 'authz.role.revoked' && event.outcome === 'failure' && event.target?.id === samlUserId);
      expect(keptEvent?.reason).toMatch(/last tenant admin/);

      await people.person(samlTenantId, { roles: ['tenant-admin'] });
      const second = await samlSignIn({ groups: [MEMBER_GROUP] });
      expect((await request('/api/access/me', { cookie: second })).json()).toMatchObject({ roles: ['member'] });
      // The earlier session of the same user lost the role too: grants are the user's, not the session's.
      expect((await request('/api/access/review', { cookie: first })).status).toBe(403);
      const granted = (await service.auditEvents()).filter(
        (event) => event.target?.id === samlUserId && event.action.startsWith('authz.role.') && event.outcome === 'success',
      );
      expect(granted.map((event) => [event.action, event.details?.['role'], event.details?.['source']])).toEqual([
        ['authz.role.granted', 'member', 'idp'],
        ['authz.role.granted', 'tenant-admin', 'idp'],
        ['authz.role.revoked', 'tenant-admin', 'idp'],
      ]);
    });
  });
});
