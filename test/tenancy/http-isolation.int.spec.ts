import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openAppDataSource } from '@veilig/platform-database';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestResponse } from '../support/http-client.js';
import { startTestApi, type TestApi } from '../support/test-api.js';
import { TenantPeople, type Person } from '../support/tenant-people.js';

/**
 * Tenant isolation through the front door (SE-6.2): two tenants on one running service, with the
 * same team names, and tenant A's people trying every way HTTP offers to reach tenant B's cases,
 * users, grants and SSO mappings: B's real ids, query parameters, forged tenant ids, and many
 * requests of both tenants at once. What the service answers is compared with what the
 * database owner (beneath row-level security) says belongs to whom.
 */

const TEAM = 'Sociaal Domein';
const SORTS = ['created', '-created', 'updated', '-updated', 'title', '-title'];

interface CaseRow {
  id: string;
  tenant_id: string;
  [column: string]: unknown;
}

describe('tenant isolation over HTTP', () => {
  let service: TestApi;
  let people: TenantPeople;
  let app: DataSource;
  let tenantA: string;
  let tenantB: string;
  let memberA: Person;
  let viewerA: Person;
  let adminA: Person;
  let coordinatorA: Person;
  let memberB: Person;
  let viewerB: Person;
  let adminB: Person;
  let connectionB: string;
  const casesOf: Record<'A' | 'B', string[]> = { A: [], B: [] };

  const ownerRows = async (tenantId?: string): Promise<CaseRow[]> =>
    people.database.query(`SELECT * FROM cases WHERE $1::uuid IS NULL OR tenant_id = $1 ORDER BY id`, [tenantId ?? null]);
  const idsIn = (response: TestResponse) => response.json<{ items: Array<{ id: string }> }>().items.map((item) => item.id);

  beforeAll(async () => {
    service = await startTestApi();
    people = await TenantPeople.open(service);
    tenantA = await people.tenant('gemeente-a');
    tenantB = await people.tenant('gemeente-b');
    memberA = await people.person(tenantA, { roles: ['member'], department: TEAM });
    viewerA = await people.person(tenantA, { roles: ['viewer'] });
    adminA = await people.person(tenantA, { roles: ['tenant-admin'] });
    await people
      .administration()
      .createRole({ kind: 'operator', operator: 'test' }, tenantA, {
        name: 'coordinator',
        description: 'Everything on cases',
        permissions: ['cases:read-all', 'cases:assign', 'cases:update', 'cases:close', 'cases:create'],
      });
    coordinatorA = await people.person(tenantA, { roles: ['coordinator'], department: TEAM });
    memberB = await people.person(tenantB, { roles: ['member'], department: TEAM });
    viewerB = await people.person(tenantB, { roles: ['viewer'] });
    adminB = await people.person(tenantB, { roles: ['tenant-admin'] });
    connectionB = await people.ssoConnection(tenantB);
    expect(
      (await adminB.call('PUT', `/api/access/connections/${connectionB}/mappings`, { mappings: [{ claim: 'roles', value: 'Veilig.Admin', role: 'tenant-admin' }] })).status,
    ).toBe(204);

    // The same team name in both tenants, and B's cases assigned to B's member: a rule that forgot the tenant would match them.
    for (const [tenant, creator] of [
      ['A', memberA],
      ['B', memberB],
    ] as const) {
      for (let index = 0; index < 6; index++) {
        const created = await creator.call('POST', '/api/cases', {
          title: `zaak ${tenant} ${index}`,
          category: 'Bijstand',
          citizenName: `Burger ${tenant}${index}`,
          citizenBsn: '111222333',
        });
        expect(created.status).toBe(201);
        casesOf[tenant].push(created.json<{ id: string }>().id);
      }
      expect((await creator.call('POST', `/api/cases/${casesOf[tenant][5]}/close`, { resolution: 'Klaar' })).status).toBeLessThan(300);
    }

    // The application role exactly as the service connects (see catalog.int.spec.ts).
    const appUrl = new URL(service.database.migrationUrl);
    appUrl.username = service.database.appRole;
    appUrl.password = readFileSync(join(service.dataDir, `${service.database.appRole}-password`), 'utf8').trim();
    app = await openAppDataSource({ url: appUrl.toString() });
  });
  afterAll(async () => {
    await app?.destroy();
    await people?.close();
    await service?.close();
  });

  it("[SE-6.2] [SE-4.1] lists and counts only the caller's tenant, whatever sort, filter and page is asked for", async () => {
    const ownA = (await ownerRows(tenantA)).map((row) => row.id).sort();
    const bIds = new Set((await ownerRows(tenantB)).map((row) => row.id));
    expect(ownA).toEqual([...casesOf.A].sort());
    for (const person of [memberA, viewerA, coordinatorA]) {
      expect((await person.call('GET', '/api/cases/statistics')).json()).toEqual({ open: 5, closed: 1 });
      for (const sort of SORTS) {
        for (const status of ['', 'open', 'closed']) {
          const expected = status === 'closed' ? 1 : status === 'open' ? 5 : 6;
          const seen: string[] = [];
          for (let offset = 0; offset < 8; offset += 3) {
            const page = await person.call('GET', `/api/cases?sort=${sort}&limit=3&offset=${offset}${status && `&status=${status}`}`);
            expect(page.status).toBe(200);
            expect(page.json()['hasMore']).toBe(offset + 3 < expected);
            seen.push(...idsIn(page));
          }
          expect(seen.filter((id) => bIds.has(id))).toEqual([]);
          expect(seen).toHaveLength(expected);
          expect(seen.every((id) => ownA.includes(id))).toBe(true);
        }
      }
      // Far beyond the end: nothing, and nothing of B's.
      expect((await person.call('GET', '/api/cases?offset=100000')).json()).toEqual({ items: [], hasMore: false });
    }
  });

  it("[SE-6.2] [SE-4.1] answers 404 to every try at B's cases by their real ids, and changes none of B's rows", async () => {
    const before = await ownerRows(tenantB);
    const eventsBefore = (await service.auditEvents()).length;
    for (const id of casesOf.B) {
      for (const person of [memberA, viewerA, coordinatorA]) {
        expect((await person.call('GET', `/api/cases/${id}`)).status).toBe(404);
      }
      for (const person of [memberA, coordinatorA]) {
        expect((await person.call('PATCH', `/api/cases/${id}`, { title: 'Overgenomen door A', citizenBsn: '123456782' })).status).toBe(404);
        expect((await person.call('POST', `/api/cases/${id}/close`, { resolution: 'Door A gesloten' })).status).toBe(404);
      }
      expect((await coordinatorA.call('PUT', `/api/cases/${id}/assignment`, { team: TEAM, assigneeId: coordinatorA.userId })).status).toBe(404);
      // Who lacks the permission is refused before anything is looked up.
      expect((await viewerA.call('PATCH', `/api/cases/${id}`, { title: 'x' })).status).toBe(403);
      expect((await adminA.call('GET', `/api/cases/${id}`)).status).toBe(403);
    }
    expect(await ownerRows(tenantB)).toEqual(before);
    const added = (await service.auditEvents()).slice(eventsBefore);
    expect(added.filter((event) => event.action.startsWith('data.'))).toEqual([]);
    expect(added.filter((event) => event.tenantId === tenantB)).toEqual([]);
  });

  it("[SE-6.2] refuses to assign A's case to B's user, as to any user not of the tenant", async () => {
    const response = await coordinatorA.call('PUT', `/api/cases/${casesOf.A[0]}/assignment`, { assigneeId: memberB.userId });
    expect(response.status).toBe(422);
    expect((await ownerRows(tenantA)).find((row) => row.id === casesOf.A[0])).toMatchObject({ assignee_id: memberA.userId });
  });

  it('[SE-6.2] ignores a tenant id forged in a header and refuses one in the query or the body (strict schemas)', async () => {
    const forgedHeader = { 'x-tenant-id': tenantB, 'x-tenant': tenantB, 'x-forwarded-host': 'gemeente-b.example.nl' };
    const listed = await people.callWith(viewerA.cookie, 'GET', '/api/cases?limit=100', { headers: forgedHeader });
    expect(listed.status).toBe(200);
    expect(idsIn(listed).sort()).toEqual([...casesOf.A].sort());
    expect((await people.callWith(memberA.cookie, 'GET', `/api/cases/${casesOf.B[0]}`, { headers: forgedHeader })).status).toBe(404);
    expect((await people.callWith(memberA.cookie, 'GET', '/api/cases/statistics', { headers: forgedHeader })).json()).toEqual({ open: 5, closed: 1 });

    // Observed: the list query is a strict schema, so ?tenantId= is an unknown parameter and refused.
    const query = await memberA.call('GET', `/api/cases?tenantId=${tenantB}`);
    expect(query.status).toBe(400);
    expect(query.json()).toMatchObject({ errors: ['Unrecognized key: "tenantId"'] });
    // Routes that read no query ignore it.
    expect((await memberA.call('GET', `/api/cases/statistics?tenantId=${tenantB}`)).json()).toEqual({ open: 5, closed: 1 });

    // Observed: the body schemas are strict too, so a tenantId field is refused and nothing is stored.
    const countBefore = (await ownerRows()).length;
    const created = await people.callWith(memberA.cookie, 'POST', '/api/cases', {
      headers: forgedHeader,
      body: JSON.stringify({ title: 'Naar B?', category: 'Bijstand', citizenName: 'Burger', tenantId: tenantB }),
    });
    expect(created.status).toBe(400);
    expect(created.json()).toMatchObject({ errors: ['Unrecognized key: "tenantId"'] });
    expect((await memberA.call('PATCH', `/api/cases/${casesOf.A[0]}`, { title: 'Naar B?', tenantId: tenantB })).status).toBe(400);
    expect((await coordinatorA.call('PUT', `/api/cases/${casesOf.A[0]}/assignment`, { team: TEAM, tenantId: tenantB })).status).toBe(400);
    expect((await ownerRows()).length).toBe(countBefore);

    // With the forged header only, a new case is still A's.
    const headerOnly = await people.callWith(memberA.cookie, 'POST', '/api/cases', {
      headers: forgedHeader,
      body: JSON.stringify({ title: 'Toch van A', category: 'Bijstand', citizenName: 'Burger' }),
    });
    expect(headerOnly.status).toBe(201);
    const row = (await ownerRows()).find((candidate) => candidate.id === headerOnly.json()['id']);
    expect(row).toMatchObject({ tenant_id: tenantA });
    expect((await memberB.call('GET', `/api/cases/${row!.id}`)).status).toBe(404);
    casesOf.A.push(row!.id);
  });

  it("[SE-6.2] [SE-4.1] keeps A's admin from B's users, grants, access review and SSO connections", async () => {
    const grantsBefore = await people.database.query('SELECT * FROM role_assignments WHERE tenant_id = $1 ORDER BY user_id, role_name', [tenantB]);
    const grant = await adminA.call('PUT', `/api/access/users/${memberB.userId}/roles/tenant-admin`);
    expect(grant.status).toBe(404);
    expect(grant.json()).toMatchObject({ type: 'urn:veilig:problem:unknown-user' });
    expect((await adminA.call('PUT', `/api/access/users/${memberB.userId}/roles/member`)).status).toBe(404);
    expect((await adminA.call('DELETE', `/api/access/users/${adminB.userId}/roles/tenant-admin`)).status).toBe(422);
    expect((await adminA.call('DELETE', `/api/access/users/${memberB.userId}/roles/member`)).status).toBe(422);
    expect(await people.database.query('SELECT * FROM role_assignments WHERE tenant_id = $1 ORDER BY user_id, role_name', [tenantB])).toEqual(grantsBefore);
    expect((await memberB.call('GET', '/api/access/me')).json()).toMatchObject({ roles: ['member'] });

    const review = await adminA.call('GET', '/api/access/review');
    const reviewed = review.json<{ items: Array<{ userId: string }> }>().items.map((item) => item.userId);
    expect(reviewed).toEqual(expect.arrayContaining([memberA.userId, viewerA.userId, adminA.userId, coordinatorA.userId]));
    for (const other of [memberB, viewerB, adminB]) expect(reviewed).not.toContain(other.userId);
    const csv = (await adminA.call('GET', '/api/access/review?format=csv')).body;
    for (const other of [memberB, viewerB, adminB]) expect(csv).not.toContain(other.userId);

    // B's SSO connection: its mappings are neither readable nor replaceable from A.
    expect((await adminA.call('GET', `/api/access/connections/${connectionB}/mappings`)).json()).toEqual({ items: [] });
    const replaced = await adminA.call('PUT', `/api/access/connections/${connectionB}/mappings`, {
      mappings: [{ claim: 'groups', value: 'a-group-of-a', role: 'tenant-admin' }],
    });
    expect(replaced.status).toBe(404);
    expect(replaced.json()).toMatchObject({ type: 'urn:veilig:problem:unknown-connection' });
    expect((await adminB.call('GET', `/api/access/connections/${connectionB}/mappings`)).json()).toEqual({
      items: [{ claim: 'roles', value: 'Veilig.Admin', role: 'tenant-admin' }],
    });

    // The tenant administration API: B's connection, B's sessions and B's users are not there for A.
    const connections = (await adminA.call('GET', '/api/admin/sso-connections')).json<{ items: Array<{ id: string }> }>().items;
    expect(connections.map((connection) => connection.id)).not.toContain(connectionB);
    expect((await adminA.call('DELETE', `/api/admin/sso-connections/${connectionB}`)).status).toBe(404);
    const sessionB = (await memberB.call('GET', '/api/session')).json<{ session: { id: string } }>().session.id;
    expect((await adminA.call('DELETE', `/api/admin/sessions/${sessionB}`)).status).toBe(404);
    expect((await adminA.call('DELETE', `/api/admin/users/${memberB.userId}/sessions`)).status).toBe(404);
    const sessionsA = (await adminA.call('GET', '/api/admin/sessions')).json<{ items: Array<{ id: string; userId: string }> }>().items;
    expect(sessionsA.map((session) => session.userId)).not.toContain(memberB.userId);
    expect(sessionsA.map((session) => session.id)).not.toContain(sessionB);
    expect((await memberB.call('GET', '/api/session')).status).toBe(200);
    expect(await people.database.query('SELECT count(*)::int AS count FROM sso_connections WHERE id = $1', [connectionB])).toEqual([{ count: 1 }]);
  });

  it("[SE-6.2] refuses A's admin emptying the mappings of B's connection", async () => {
    const eventsBefore = (await service.auditEvents()).length;
    const response = await adminA.call('PUT', `/api/access/connections/${connectionB}/mappings`, { mappings: [] });
    const added = (await service.auditEvents()).slice(eventsBefore).filter((event) => event.action === 'authz.mapping.changed');
    expect(added).toEqual([]);
    expect(response.status).toBe(404);
  });

  it("[SE-6.2] answers A's admin alike whether or not B maps a claim on its connection", async () => {
    const probe = (value: string) =>
      adminA.call('PUT', `/api/access/connections/${connectionB}/mappings`, { mappings: [{ claim: 'roles', value, role: 'tenant-admin' }] });
    const existing = await probe('Veilig.Admin');
    const absent = await probe('Not.Mapped.By.B');
    expect(absent.status).toBe(404);
    expect(existing.status).toBe(absent.status);
  });

  it("[SE-6.2] returns only the caller's tenant's rows to 240 requests of both tenants in parallel", async () => {
    const owned = new Map<string, string>((await ownerRows()).map((row) => [row.id, row.tenant_id]));
    const callers = [
      { person: memberA, tenant: tenantA },
      { person: viewerA, tenant: tenantA },
      { person: coordinatorA, tenant: tenantA },
      { person: memberB, tenant: tenantB },
      { person: viewerB, tenant: tenantB },
    ];
    const everyId = [...casesOf.A, ...casesOf.B];
    const requests = Array.from({ length: 240 }, (_, index) => {
      const { person, tenant } = callers[index % callers.length]!;
      const kind = index % 3;
      const path =
        kind === 0 ? `/api/cases?limit=100&sort=${SORTS[index % SORTS.length]}` : kind === 1 ? `/api/cases/${everyId[index % everyId.length]}` : '/api/cases/statistics';
      return person.call('GET', path).then((response) => ({ response, tenant, path, kind }));
    });
    const answers = await Promise.all(requests);
    const problems: string[] = [];
    for (const { response, tenant, path, kind } of answers) {
      const label = `${tenant === tenantA ? 'A' : 'B'} ${path}`;
      if (kind === 0) {
        if (response.status !== 200) problems.push(`${label}: ${response.status}`);
        else for (const id of idsIn(response)) if (owned.get(id) !== tenant) problems.push(`${label}: returned ${id} of another tenant`);
      } else if (kind === 1) {
        const id = path.split('/').pop()!;
        const expected = owned.get(id) === tenant ? 200 : 404;
        // A member sees only their team's and own cases; all cases here were created by the members, so all are theirs.
        if (response.status !== expected) problems.push(`${label}: expected ${expected}, got ${response.status}`);
        if (response.status === 200 && owned.get(String(response.json()['id'])) !== tenant) problems.push(`${label}: answered another tenant's case`);
      } else {
        const counts = response.json<{ open: number; closed: number }>();
        const total = [...owned.values()].filter((owner) => owner === tenant).length;
        if (counts.open + counts.closed !== total) problems.push(`${label}: counted ${counts.open + counts.closed}, the tenant has ${total}`);
      }
    }
    expect(answers).toHaveLength(240);
    expect(problems).toEqual([]);
  });

  it('[SE-6.2] shows the application role no case and lets it write none without a tenant context, and only its own tenant with one', async () => {
    expect(await app.query('SELECT * FROM cases')).toEqual([]);
    expect(await app.query('SELECT count(*)::int AS count FROM cases')).toEqual([{ count: 0 }]);
    await expect(
      app.query(`INSERT INTO cases (title, category, citizen_name, created_by) VALUES ('Zonder tenant', 'Bijstand', 'Burger', $1)`, [memberA.userId]),
    ).rejects.toThrow();
    await expect(
      app.query(`INSERT INTO cases (tenant_id, title, category, citizen_name, created_by) VALUES ($1, 'Met tenant', 'Bijstand', 'Burger', $2)`, [tenantB, memberA.userId]),
    ).rejects.toThrow(/row-level security/);
    expect(await app.query(`UPDATE cases SET title = 'Overal' RETURNING id`)).toEqual([[], 0]);

    const runner = app.createQueryRunner();
    try {
      await runner.startTransaction();
      await runner.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantA]);
      const seen: Array<{ id: string }> = await runner.query('SELECT id FROM cases');
      expect(seen.map((row) => row.id).sort()).toEqual([...casesOf.A].sort());
      await expect(
        runner.query(`INSERT INTO cases (tenant_id, title, category, citizen_name, created_by) VALUES ($1, 'Naar B', 'Bijstand', 'Burger', $2)`, [tenantB, memberA.userId]),
      ).rejects.toThrow(/row-level security/);
    } finally {
      await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    }
    expect((await ownerRows(tenantB)).map((row) => row.title)).not.toContain('Naar B');
  });
});
