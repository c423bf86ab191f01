import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '@veilig/audit';
import type { DataSource } from 'typeorm';
import type { TestResponse } from '../support/http-client.js';
import { startTestApi, type TestApi } from '../support/test-api.js';
import { TenantPeople, type Person } from '../support/tenant-people.js';

/**
 * Least privilege for the example cases module (SE-4.1) and the audit trail of personal data
 * (SV-7.9), over HTTP against the real service. Cases are seeded through the database owner, so
 * their team and assignee are exactly what each test needs; every answer is compared with what
 * the owner reads beneath the application.
 */

const PROBLEM_JSON = 'application/problem+json; charset=utf-8';
const SUMMARY_KEYS = ['assigneeId', 'category', 'closedAt', 'createdAt', 'id', 'status', 'team', 'title', 'updatedAt'];
const PERSONAL_KEYS = ['citizenAddress', 'citizenBsn', 'citizenName', 'description', 'resolution'];
const DETAIL_KEYS = [...SUMMARY_KEYS, ...PERSONAL_KEYS, 'createdBy'].sort();
const SOCIAL = 'Sociaal Domein';
const REGISTRY = 'Burgerzaken';
const UNKNOWN_ID = '5f0e8c1a-3b7d-4c2e-9a61-0d4b8e2f7c35';

interface SeedCase {
  readonly title: string;
  readonly team: string | null;
  readonly assigneeId: string | null;
  readonly status?: 'open' | 'closed';
  readonly bsn?: string;
}

async function seedCase(owner: DataSource, tenantId: string, seed: SeedCase): Promise<string> {
  const closed = seed.status === 'closed';
  const rows: Array<{ id: string }> = await owner.query(
    `INSERT INTO cases (tenant_id, title, category, status, team, assignee_id, citizen_name, citizen_bsn, citizen_address, description, resolution, created_by, closed_at)
     VALUES ($1, $2, 'Bijstand', $3, $4, $5, 'Jan de Vries', $6, 'Dorpsstraat 1, Ons Dorp', 'Vertrouwelijke toelichting', $7, $8, $9) RETURNING id`,
    [tenantId, seed.title, closed ? 'closed' : 'open', seed.team, seed.assigneeId, seed.bsn ?? '111222333', closed ? 'Afgehandeld' : null, UNKNOWN_ID, closed ? new Date() : null],
  );
  return rows[0]!.id;
}

async function caseRow(owner: DataSource, id: string): Promise<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = await owner.query('SELECT * FROM cases WHERE id = $1', [id]);
  return rows[0]!;
}

function listed(response: TestResponse): { ids: string[]; hasMore: boolean; items: Array<Record<string, unknown>> } {
  const body = response.json<{ items: Array<Record<string, unknown>>; hasMore: boolean }>();
  return { ids: body.items.map((item) => String(item['id'])).sort(), hasMore: body.hasMore, items: body.items };
}

function expectProblem(response: TestResponse, status: number): void {
  expect(response.status, response.body).toBe(status);
  expect(response.headers['content-type']).toBe(PROBLEM_JSON);
}

describe('cases: least privilege and the audit trail of personal data', () => {
  let service: TestApi;
  let people: TenantPeople;
  let tenantId: string;
  let admin: Person;
  let auditor: Person;
  let viewer: Person;
  let social: Person;
  let socialColleague: Person;
  let registry: Person;
  let withoutTeam: Person;
  let dispatcher: Person;
  let coordinator: Person;
  /** Every seeded case, by name. */
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    service = await startTestApi();
    people = await TenantPeople.open(service);
    tenantId = await people.tenant('gemeente-c');
    admin = await people.person(tenantId, { roles: ['tenant-admin'] });
    auditor = await people.person(tenantId, { roles: ['auditor'] });
    viewer = await people.person(tenantId, { roles: ['viewer'] });
    social = await people.person(tenantId, { roles: ['member'], department: SOCIAL });
    socialColleague = await people.person(tenantId, { roles: ['member'], department: SOCIAL });
    registry = await people.person(tenantId, { roles: ['member'], department: REGISTRY });
    withoutTeam = await people.person(tenantId, { roles: ['member'] });
    expect((await admin.call('POST', '/api/access/roles', { name: 'dispatcher', permissions: ['cases:assign'] })).status).toBe(201);
    expect((await admin.call('POST', '/api/access/roles', { name: 'coordinator', permissions: ['cases:read-all', 'cases:assign'] })).status).toBe(201);
    dispatcher = await people.person(tenantId, { roles: ['dispatcher'] });
    coordinator = await people.person(tenantId, { roles: ['coordinator'] });
    const seeds: Record<string, SeedCase> = {
      socialTeam: { title: 'zaak sociaal team', team: SOCIAL, assigneeId: null },
      socialColleagues: { title: 'zaak collega', team: SOCIAL, assigneeId: socialColleague.userId },
      socialClosed: { title: 'zaak gesloten', team: SOCIAL, assigneeId: social.userId, status: 'closed' },
      assignedAcross: { title: 'zaak elders toegewezen', team: REGISTRY, assigneeId: social.userId },
      registryTeam: { title: 'zaak burgerzaken', team: REGISTRY, assigneeId: registry.userId },
      registryClosed: { title: 'zaak burgerzaken gesloten', team: REGISTRY, assigneeId: null, status: 'closed' },
      personalOnly: { title: 'zaak zonder team', team: null, assigneeId: withoutTeam.userId },
      nobodys: { title: 'zaak van niemand', team: null, assigneeId: null },
      permits: { title: 'zaak vergunningen', team: 'Vergunningen', assigneeId: null },
    };
    for (const [name, seed] of Object.entries(seeds)) ids[name] = await seedCase(people.database, tenantId, seed);
  });
  afterAll(async () => {
    await people?.close();
    await service?.close();
  });

  const seeded = (...names: string[]) => names.map((name) => ids[name]!).sort();
  const allSeeded = () => Object.values(ids).sort();

  it('[SE-4.1] shows a member exactly the cases of their team or assigned to them, in the list, the statistics and each case with its personal data', async () => {
    const expectations: Array<[Person, string[], { open: number; closed: number }]> = [
      [social, seeded('socialTeam', 'socialColleagues', 'socialClosed', 'assignedAcross'), { open: 3, closed: 1 }],
      [socialColleague, seeded('socialTeam', 'socialColleagues', 'socialClosed'), { open: 2, closed: 1 }],
      [registry, seeded('assignedAcross', 'registryTeam', 'registryClosed'), { open: 2, closed: 1 }],
      // No department: "their team" is nobody's, so a case without a team is not theirs by team.
      [withoutTeam, seeded('personalOnly'), { open: 1, closed: 0 }],
    ];
    for (const [member, visible, counts] of expectations) {
      const list = await member.call('GET', '/api/cases?limit=100');
      expect(list.status).toBe(200);
      expect(listed(list)).toMatchObject({ ids: visible, hasMore: false });
      expect((await member.call('GET', '/api/cases/statistics')).json()).toEqual(counts);
      const open = await member.call('GET', '/api/cases?status=open&limit=100');
      expect(listed(open).ids).toHaveLength(counts.open);
      for (const id of allSeeded()) {
        const read = await member.call('GET', `/api/cases/${id}`);
        if (visible.includes(id)) {
          expect(read.status).toBe(200);
          expect(Object.keys(read.json()).sort()).toEqual(DETAIL_KEYS);
          expect(read.json()).toMatchObject({ id, citizenName: 'Jan de Vries', citizenBsn: '111222333', description: 'Vertrouwelijke toelichting' });
        } else {
          // Not visible answers exactly like not existing: nothing tells the case is there.
          expectProblem(read, 404);
          const missing = await member.call('GET', `/api/cases/${UNKNOWN_ID}`);
          expect({ ...read.json(), requestId: '' }).toEqual({ ...missing.json(), requestId: '' });
        }
      }
    }
  });

  it('[SE-4.1] shows a viewer every case of the tenant but never a personal field, in the list and in each case', async () => {
    const list = await viewer.call('GET', '/api/cases?limit=100');
    expect(list.status).toBe(200);
    const { ids: listedIds, hasMore, items } = listed(list);
    expect(listedIds).toEqual(allSeeded());
    expect(hasMore).toBe(false);
    for (const item of items) expect(Object.keys(item).sort()).toEqual(SUMMARY_KEYS);
    for (const id of allSeeded()) {
      const read = await viewer.call('GET', `/api/cases/${id}`);
      expect(read.status).toBe(200);
      expect(Object.keys(read.json()).sort()).toEqual(SUMMARY_KEYS);
      for (const key of [...PERSONAL_KEYS, 'createdBy']) expect(read.json()).not.toHaveProperty(key);
      expect(read.body).not.toContain('Jan de Vries');
      expect(read.body).not.toContain('111222333');
    }
    expect((await viewer.call('GET', '/api/cases/statistics')).json()).toEqual({ open: 7, closed: 2 });
    expectProblem(await viewer.call('GET', `/api/cases/${UNKNOWN_ID}`), 404);
  });

  it('[SE-4.1] lists case summaries only, even for a member: personal data comes one case at a time, where each view is audited', async () => {
    const { items } = listed(await social.call('GET', '/api/cases?limit=100'));
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) expect(Object.keys(item).sort()).toEqual(SUMMARY_KEYS);
  });

  it('[SE-4.1] refuses an auditor, a tenant admin and a user without roles on every case route with 403, changing nothing', async () => {
    const target = ids['socialTeam']!;
    const before = await caseRow(people.database, target);
    const [{ count: casesBefore }]: Array<{ count: string }> = await people.database.query('SELECT count(*) FROM cases WHERE tenant_id = $1', [tenantId]);
    const newcomer = await people.person(tenantId);
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/cases'],
      ['GET', '/api/cases/statistics'],
      ['GET', `/api/cases/${target}`],
      ['POST', '/api/cases', { title: 'Nieuw', category: 'Bijstand', citizenName: 'Piet' }],
      ['PATCH', `/api/cases/${target}`, { title: 'Gewijzigd' }],
      ['POST', `/api/cases/${target}/close`, { resolution: 'Klaar' }],
      ['PUT', `/api/cases/${target}/assignment`, { team: REGISTRY }],
    ];
    for (const person of [auditor, admin, newcomer]) {
      for (const [method, path, body] of routes) {
        const response = await person.call(method, path, body);
        expectProblem(response, 403);
        expect(response.body).not.toContain('Jan de Vries');
      }
    }
    expect(await caseRow(people.database, target)).toEqual(before);
    const [{ count: casesAfter }]: Array<{ count: string }> = await people.database.query('SELECT count(*) FROM cases WHERE tenant_id = $1', [tenantId]);
    expect(casesAfter).toBe(casesBefore);
    const denied = (await service.auditEvents()).filter((event) => event.action === 'access.denied' && event.actor.userId === auditor.userId);
    expect(denied.map((event) => event.target?.id).sort()).toEqual(
      ['GET /api/cases', 'GET /api/cases/statistics', 'GET /api/cases/:id', 'POST /api/cases', 'PATCH /api/cases/:id', 'POST /api/cases/:id/close', 'PUT /api/cases/:id/assignment'].sort(),
    );
  });

  it("[SE-4.1] refuses a member reading, changing or closing another team's case with 404, and leaves the row as it was", async () => {
    for (const name of ['registryTeam', 'permits', 'nobodys']) {
      const id = ids[name]!;
      const before = await caseRow(people.database, id);
      expectProblem(await social.call('GET', `/api/cases/${id}`), 404);
      expectProblem(await social.call('PATCH', `/api/cases/${id}`, { title: 'Overgenomen', citizenBsn: '123456782' }), 404);
      expectProblem(await social.call('POST', `/api/cases/${id}/close`, { resolution: 'Gesloten door een ander team' }), 404);
      expect(await caseRow(people.database, id)).toEqual(before);
    }
    const events = (await service.auditEvents()).filter((event) => event.actor.userId === social.userId && event.action.startsWith('data.'));
    const others = seeded('registryTeam', 'permits', 'nobodys');
    expect(events.filter((event) => others.includes(event.target?.id ?? ''))).toEqual([]);
  });

  it("[SV-7.9] records every refused attempt at another team's case as access.denied, and none for a case that does not exist", async () => {
    const id = ids['permits']!;
    await social.call('GET', `/api/cases/${id}`);
    await social.call('POST', `/api/cases/${id}/close`, { resolution: 'x' });
    await social.call('GET', '/api/cases/00000000-0000-4000-8000-000000000099');
    const denied = (await service.auditEvents()).filter((event) => event.action === 'access.denied' && event.actor.userId === social.userId && event.target?.type === 'case');
    expect(denied.filter((event) => event.target?.id === id).length).toBeGreaterThanOrEqual(2);
    expect(denied.some((event) => event.target?.id === '00000000-0000-4000-8000-000000000099')).toBe(false);
    expect(denied.every((event) => event.outcome === 'denied' && event.tenantId === tenantId)).toBe(true);
  });

  it('[SE-4.1] lets a member change and close a case of their team', async () => {
    const id = await seedCase(people.database, tenantId, { title: 'zaak om te wijzigen', team: SOCIAL, assigneeId: null });
    const changed = await socialColleague.call('PATCH', `/api/cases/${id}`, { citizenAddress: 'Kerkpad 2, Ons Dorp' });
    expect(changed.status).toBe(200);
    // A change answers with the summary: the personal data it did not need to show stays unshown.
    expect(changed.json()).toMatchObject({ id, title: 'zaak om te wijzigen' });
    expect(Object.keys(changed.json()).sort()).toEqual(SUMMARY_KEYS);
    const closed = await social.call('POST', `/api/cases/${id}/close`, { resolution: 'Hulp geboden' });
    expect(closed.status).toBe(200);
    expect(closed.json()).toMatchObject({ id, status: 'closed' });
    expect(Object.keys(closed.json()).sort()).toEqual(SUMMARY_KEYS);
    expect(await caseRow(people.database, id)).toMatchObject({ status: 'closed', resolution: 'Hulp geboden', citizen_address: 'Kerkpad 2, Ons Dorp' });
  });

  it('[SE-4.1] gives cases:assign and cases:read-all through custom roles only, never through a built-in role', async () => {
    const roles = (await admin.call('GET', '/api/access/roles')).json<{ items: Array<{ name: string; builtIn: boolean; permissions: string[] }> }>().items;
    for (const role of roles.filter((r) => r.builtIn)) {
      expect(role.permissions).not.toContain('cases:assign');
      expect(role.permissions).not.toContain('cases:read-all');
    }
    const id = await seedCase(people.database, tenantId, { title: 'zaak om toe te wijzen', team: 'Vergunningen', assigneeId: null });
    for (const person of [social, viewer, admin, auditor]) expectProblem(await person.call('PUT', `/api/cases/${id}/assignment`, { team: SOCIAL }), 403);
    expectProblem(await social.call('GET', `/api/cases/${id}`), 404);

    const assigned = await dispatcher.call('PUT', `/api/cases/${id}/assignment`, { team: SOCIAL });
    expect(assigned.status).toBe(200);
    // Assigning is not reading: the dispatcher gets the summary and may not list or open cases.
    expect(Object.keys(assigned.json()).sort()).toEqual(SUMMARY_KEYS);
    expectProblem(await dispatcher.call('GET', '/api/cases'), 403);
    expectProblem(await dispatcher.call('GET', `/api/cases/${id}`), 403);
    expect((await social.call('GET', `/api/cases/${id}`)).json()).toMatchObject({ id, team: SOCIAL, citizenName: 'Jan de Vries' });

    const toPerson = await coordinator.call('PUT', `/api/cases/${id}/assignment`, { assigneeId: registry.userId, team: null });
    expect(toPerson.json()).toMatchObject({ assigneeId: registry.userId, team: null });
    expect((await registry.call('GET', `/api/cases/${id}`)).status).toBe(200);
    expectProblem(await social.call('GET', `/api/cases/${id}`), 404);
    // The coordinator's cases:read-all shows every case with its personal data.
    expect(listed(await coordinator.call('GET', '/api/cases?limit=100')).ids).toEqual(expect.arrayContaining(allSeeded()));
    expect(Object.keys((await coordinator.call('GET', `/api/cases/${ids['nobodys']}`)).json()).sort()).toEqual(DETAIL_KEYS);

    expectProblem(await dispatcher.call('PUT', `/api/cases/${id}/assignment`, { assigneeId: UNKNOWN_ID }), 422);
    expectProblem(await dispatcher.call('PUT', `/api/cases/${UNKNOWN_ID}/assignment`, { team: SOCIAL }), 404);
    const events = (await service.auditEvents()).filter((event) => event.action === 'data.updated' && event.target?.id === id);
    expect(events.map((event) => [event.actor.userId, event.details?.['fields']])).toEqual([
      [dispatcher.userId, ['team']],
      [coordinator.userId, ['assigneeId', 'team']],
    ]);
  });

  it('[SE-4.1] refuses changing or closing a closed case, also to the member it belongs to', async () => {
    const id = ids['socialClosed']!;
    const before = await caseRow(people.database, id);
    expectProblem(await social.call('PATCH', `/api/cases/${id}`, { title: 'Heropend' }), 404);
    expectProblem(await social.call('POST', `/api/cases/${id}/close`, { resolution: 'Nogmaals' }), 404);
    expect(await caseRow(people.database, id)).toEqual(before);
    // Still readable: closed is not gone.
    expect((await social.call('GET', `/api/cases/${id}`)).json()).toMatchObject({ status: 'closed', resolution: 'Afgehandeld' });
  });

  it('[SE-4.1] refuses re-assigning a closed case', async () => {
    const id = ids['registryClosed']!;
    const before = await caseRow(people.database, id);
    const response = await dispatcher.call('PUT', `/api/cases/${id}/assignment`, { team: SOCIAL });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(await caseRow(people.database, id)).toEqual(before);
  });

  it('[SE-4.1] refuses invalid input with 400 problem+json listing every problem, never a 500', async () => {
    const id = ids['socialTeam']!;
    const before = await caseRow(people.database, id);
    const errorsOf = (response: TestResponse) => {
      expectProblem(response, 400);
      return response.json<{ errors?: string[] }>().errors ?? [];
    };
    const badBsn = errorsOf(await social.call('POST', '/api/cases', { title: 'T', category: 'C', citizenName: 'N', citizenBsn: '123456789' }));
    expect(badBsn).toEqual(['citizenBsn: is not a valid BSN (nine digits passing the elfproef)']);
    const several = errorsOf(await social.call('POST', '/api/cases', { category: '', citizenName: 'N', citizenBsn: '12345678', team: REGISTRY, tenantId }));
    expect(several).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^title: /),
        expect.stringMatching(/^category: /),
        expect.stringMatching(/^citizenBsn: /),
        expect.stringMatching(/Unrecognized keys?: "team", "tenantId"/),
      ]),
    );
    expect(errorsOf(await social.call('PATCH', `/api/cases/${id}`, { status: 'closed' }))).toContainEqual(expect.stringMatching(/Unrecognized key: "status"/));
    expect(errorsOf(await social.call('PATCH', `/api/cases/${id}`, { team: REGISTRY }))).toContainEqual(expect.stringMatching(/Unrecognized key: "team"/));
    expect(errorsOf(await social.call('PATCH', `/api/cases/${id}`, { citizenBsn: '999999999' }))).toEqual([expect.stringMatching(/^citizenBsn: /)]);
    expect(errorsOf(await social.call('POST', `/api/cases/${id}/close`, { resolution: '   ' }))).toEqual([expect.stringMatching(/^resolution: /)]);
    expect(errorsOf(await dispatcher.call('PUT', `/api/cases/${id}/assignment`, {}))).toEqual(['name an assignee, a team or both']);
    expect(errorsOf(await dispatcher.call('PUT', `/api/cases/${id}/assignment`, { assigneeId: 'jan' }))).toEqual([expect.stringMatching(/^assigneeId: /)]);
    for (const query of ['limit=0', 'limit=101', 'offset=-1', 'sort=citizenName', 'status=archived', 'limit=abc']) {
      expect(errorsOf(await social.call('GET', `/api/cases?${query}`)), query).toHaveLength(1);
    }
    for (const [method, path, body] of [
      ['GET', '/api/cases/not-a-uuid', undefined],
      ['GET', "/api/cases/1'%20OR%20'1'='1", undefined],
      ['PATCH', '/api/cases/123', { title: 'T' }],
      ['POST', '/api/cases/123/close', { resolution: 'R' }],
      ['PUT', '/api/cases/123/assignment', { team: SOCIAL }],
    ] as const) {
      const caller = method === 'PUT' ? dispatcher : social;
      const response = await caller.call(method, path, body);
      expectProblem(response, 400);
      expect(response.json()).toMatchObject({ detail: 'Validation failed (uuid is expected)' });
    }
    expectProblem(await people.callWith(social.cookie, 'POST', '/api/cases', { body: '{"title": "T", ' }), 400);
    expectProblem(await people.callWith(social.cookie, 'PATCH', `/api/cases/${id}`, { body: '[]' }), 400);
    expectProblem(await people.callWith(social.cookie, 'PATCH', `/api/cases/${id}`, { body: 'null' }), 400);
    expect(await caseRow(people.database, id)).toEqual(before);
  });

  it('[SE-4.1] [SE-6.1] refuses an empty change with 400 and leaves the case as it was', async () => {
    const id = await seedCase(people.database, tenantId, { title: 'zaak leeg', team: SOCIAL, assigneeId: null });
    const response = await social.call('PATCH', `/api/cases/${id}`, {});
    expect((await caseRow(people.database, id))['description']).toBe('Vertrouwelijke toelichting');
    expectProblem(response, 400);
    expect(response.json()).toMatchObject({ errors: ['name at least one field to change'] });
  });

  it('[SE-4.1] refuses a NUL character in a text field with 400, never a 500', async () => {
    const id = ids['socialTeam']!;
    const responses = [
      await social.call('POST', '/api/cases', { title: 'a\u0000b', category: 'C', citizenName: 'N' }),
      await social.call('PATCH', `/api/cases/${id}`, { citizenName: 'Jan\u0000' }),
      await social.call('POST', `/api/cases/${id}/close`, { resolution: '\u0000' }),
    ];
    expect(responses.map((response) => response.status)).toEqual([400, 400, 400]);
  });

  it('[SV-7.9] stores a data.viewed event naming the case and its personal fields before the answer with personal data arrives', async () => {
    const id = ids['socialColleagues']!;
    const eventsBefore = (await service.auditEvents()).length;
    const read = await socialColleague.call('GET', `/api/cases/${id}`);
    expect(read.status).toBe(200);
    // Read straight after the answer arrived: the event was committed with the read, before the answer left.
    const viewed = (await service.auditEvents()).slice(eventsBefore).filter((event) => event.action === 'data.viewed');
    expect(viewed).toHaveLength(1);
    expect(viewed[0]).toMatchObject({
      tenantId,
      outcome: 'success',
      actor: { type: 'user', userId: socialColleague.userId },
      target: { type: 'case', id },
      details: { fields: ['citizenName', 'citizenBsn', 'citizenAddress', 'description', 'resolution'] },
    });
    expect(viewed[0]!.sessionId).toEqual(expect.any(String));
    expect(JSON.stringify(viewed[0])).not.toContain('111222333');
  });

  it('[SV-7.9] stores no data.viewed for a view without personal data, nor for a refused one', async () => {
    const id = ids['registryTeam']!;
    const eventsBefore = (await service.auditEvents()).length;
    expect((await viewer.call('GET', `/api/cases/${id}`)).status).toBe(200);
    expect((await viewer.call('GET', '/api/cases')).status).toBe(200);
    expect((await social.call('GET', `/api/cases/${id}`)).status).toBe(404);
    expect((await social.call('GET', '/api/cases?limit=100')).status).toBe(200);
    const added = (await service.auditEvents()).slice(eventsBefore);
    expect(added.filter((event) => event.action === 'data.viewed')).toEqual([]);
  });

  it('[SV-7.9] records creating and changing a case with the names of the fields, never their values', async () => {
    const bsn = '123456782';
    const newBsn = '192837461';
    const created = await social.call('POST', '/api/cases', {
      title: 'Aanvraag schuldhulp',
      category: 'Schuldhulp',
      citizenName: 'Zeynep Karaca-Bakker',
      citizenBsn: bsn,
      citizenAddress: 'Lindelaan 77, Ons Dorp',
      description: 'Heeft schulden bij de Belastingdienst',
    });
    expect(created.status).toBe(201);
    const id = created.json<{ id: string }>().id;
    expect(created.json()).toMatchObject({ team: SOCIAL, assigneeId: social.userId });
    expect(Object.keys(created.json()).sort()).toEqual(SUMMARY_KEYS);
    expect(await caseRow(people.database, created.json<{ id: string }>().id)).toMatchObject({ created_by: social.userId, citizen_bsn: bsn });
    const changed = await socialColleague.call('PATCH', `/api/cases/${id}`, { citizenBsn: newBsn, citizenAddress: 'Beukenlaan 3, Ons Dorp' });
    expect(changed.status).toBe(200);
    expect(await caseRow(people.database, id)).toMatchObject({ citizen_bsn: newBsn, citizen_name: 'Zeynep Karaca-Bakker' });

    const events = await service.auditEvents();
    const forCase = (action: string) => events.filter((event) => event.action === action && event.target?.id === id);
    expect(forCase('data.created')).toEqual([
      expect.objectContaining({
        actor: expect.objectContaining({ userId: social.userId }),
        target: { type: 'case', id },
        details: { fields: ['category', 'citizenAddress', 'citizenBsn', 'citizenName', 'description', 'title'] },
      }),
    ]);
    const updated = forCase('data.updated');
    expect(updated).toHaveLength(1);
    expect(updated[0]).toMatchObject({ actor: { userId: socialColleague.userId }, target: { type: 'case', id } });
    expect(updated[0]!.details?.['fields']).toEqual(expect.arrayContaining(['citizenAddress', 'citizenBsn']));
    const everything = JSON.stringify(events);
    for (const value of [bsn, newBsn, 'Zeynep', 'Karaca', 'Lindelaan', 'Beukenlaan', 'Belastingdienst', '111222333', 'Jan de Vries', 'Dorpsstraat']) {
      expect(everything, `an audit event holds "${value}"`).not.toContain(value);
    }
  });

  it('[SV-7.9] [SE-6.1] records exactly the fields a change names and keeps the others', async () => {
    const id = await seedCase(people.database, tenantId, { title: 'zaak titel', team: SOCIAL, assigneeId: null });
    expect((await social.call('PATCH', `/api/cases/${id}`, { title: 'zaak nieuwe titel' })).status).toBe(200);
    const updated = (await service.auditEvents()).filter((event: AuditEvent) => event.action === 'data.updated' && event.target?.id === id);
    expect(updated.map((event) => event.details?.['fields'])).toEqual([['title']]);
    expect(await caseRow(people.database, id)).toMatchObject({ title: 'zaak nieuwe titel', description: 'Vertrouwelijke toelichting' });
  });

  it("[SE-4.1] stops showing the old team's cases as soon as the user's department changed", async () => {
    const mover = await people.person(tenantId, { roles: ['member'], department: SOCIAL });
    const id = ids['socialTeam']!;
    expect((await mover.call('GET', `/api/cases/${id}`)).status).toBe(200);
    // What the next federated sign-in does when the IdP sends the new department (UserDirectory.provisionFederated).
    await people.database.query('UPDATE users SET department = $1 WHERE id = $2', [REGISTRY, mover.userId]);
    expect((await mover.call('GET', '/api/session')).json()).toMatchObject({ user: { department: REGISTRY } });
    expectProblem(await mover.call('GET', `/api/cases/${id}`), 404);
    expect((await mover.call('GET', `/api/cases/${ids['registryTeam']}`)).status).toBe(200);
  });
});
