import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestResponse } from '../support/http-client.js';
import { startTestApi, type TestApi } from '../support/test-api.js';
import { TenantPeople, type Person } from '../support/tenant-people.js';

/**
 * A randomised check of who may do what (SE-4.1): users with random sets of built-in and custom
 * roles and random departments send a few hundred random requests over HTTP to the cases and
 * access routes, and an oracle written here from the documented rules (the permission
 * declarations' descriptions, the built-in roles, the cases rules) predicts each answer: its
 * status and, for reads, which cases and which fields. It shares no code with the service; it
 * keeps its own model of every case and every grant, updated by the writes it predicts.
 *
 * Reproducible: every choice comes from one seeded PRNG; ORACLE_SEED=<seed> repeats a run.
 */

const SEED = Number(process.env['ORACLE_SEED'] ?? Math.floor(Math.random() * 2_147_483_647));
/** As many as the test title says. */
const REQUESTS = 420;
const CASES = 30;
const USERS = 14;

/** Every permission with the built-in roles that hold it, as the modules document it. */
const DOCUMENTED_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  'access-review:read': ['tenant-admin'],
  'audit:export': ['auditor'],
  'audit:read': ['auditor'],
  'cases:assign': [],
  'cases:close': ['member'],
  'cases:create': ['member'],
  'cases:read': ['member'],
  'cases:read-all': [],
  'cases:read-summary': ['viewer'],
  'cases:update': ['member'],
  'roles:manage': ['tenant-admin'],
  'roles:read': ['tenant-admin'],
  'sessions:manage': ['tenant-admin'],
  'sso:manage': ['tenant-admin'],
  'sso:read': ['tenant-admin'],
};
const CATALOGUE = Object.keys(DOCUMENTED_PERMISSIONS).sort();
const BUILT_IN = ['tenant-admin', 'auditor', 'member', 'viewer'] as const;
const CASE_PERMISSIONS = CATALOGUE.filter((name) => name.startsWith('cases:'));
const DEPARTMENTS = ['Sociaal Domein', 'Burgerzaken', 'Vergunningen'];
const SUMMARY_KEYS = ['assigneeId', 'category', 'closedAt', 'createdAt', 'id', 'status', 'team', 'title', 'updatedAt'];
const DETAIL_KEYS = [...SUMMARY_KEYS, 'citizenAddress', 'citizenBsn', 'citizenName', 'createdBy', 'description', 'resolution'].sort();
const SORTS = ['created', '-created', 'updated', '-updated', 'title', '-title'] as const;
type Sort = (typeof SORTS)[number];

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (below: number) => Math.floor(next() * below);
  return {
    next,
    int,
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[int(items.length)]!,
    subset: <T>(items: readonly T[], min: number, max: number): T[] => {
      const pool = [...items];
      const size = min + int(max - min + 1);
      const chosen: T[] = [];
      while (chosen.length < size && pool.length > 0) chosen.push(pool.splice(int(pool.length), 1)[0]!);
      return chosen;
    },
    word: (length: number) => Array.from({ length }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[int(36)]).join(''),
    uuid: () => {
      const hex = Array.from({ length: 32 }, () => '0123456789abcdef'[int(16)]).join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    },
  };
}

// --- The model the oracle predicts from -------------------------------------------------------

interface ModelUser {
  readonly label: string;
  readonly person: Person;
  readonly department: string | null;
  /** In-app grants; this test makes no IdP grants. */
  readonly roles: Set<string>;
}

interface ModelCase {
  readonly id: string;
  title: string;
  status: 'open' | 'closed';
  team: string | null;
  assigneeId: string | null;
  /** Order of created_at (then id) and updated_at (then id), as logical clocks. */
  readonly created: number;
  updated: number;
}

interface Prediction {
  readonly status: number;
  /** Checks the body of a successful answer; returns what differs, if anything. */
  readonly body?: (response: TestResponse) => string | undefined;
  /** Applied when the answer is as predicted, for writes. */
  readonly apply?: (response: TestResponse) => void;
  /** The audit event this request should store. */
  readonly audits?: 'data.viewed' | 'data.created' | 'data.updated';
}

function same(actual: unknown, expected: unknown, what: string): string | undefined {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  return a === e ? undefined : `${what}: expected ${e}, got ${a}`;
}

describe(`permission oracle (seed ${SEED}; ORACLE_SEED=${SEED} repeats this run)`, () => {
  let service: TestApi;
  let people: TenantPeople;
  let tenantId: string;
  let connectionId: string;
  const random = prng(SEED);
  const users: ModelUser[] = [];
  const customRoles = new Map<string, string[]>();
  const cases: ModelCase[] = [];
  const mappings = [
    { claim: 'groups', value: 'a6f3c2d1-0000-4000-8000-00000000beef', role: 'member' },
    { claim: 'roles', value: 'Veilig.Admin', role: 'tenant-admin' },
  ] as const;
  let clock = 0;

  beforeAll(async () => {
    service = await startTestApi();
    people = await TenantPeople.open(service);
    tenantId = await people.tenant('gemeente-o');
    const operator = { kind: 'operator', operator: 'oracle' } as const;
    const administration = people.administration();
    for (const name of ['custom-a', 'custom-b', 'custom-c', 'custom-d']) {
      // Weighted towards case permissions, where the row and field rules are.
      const permissions = [...new Set([...random.subset(CASE_PERMISSIONS, 1, 3), ...random.subset(CATALOGUE, 0, 2)])].sort();
      customRoles.set(name, permissions);
      await administration.createRole(operator, tenantId, { name, description: `Oracle role ${name}`, permissions });
    }
    for (let index = 0; index < USERS; index++) {
      const builtIn = BUILT_IN.filter(() => random.chance(0.3));
      const custom = random.subset([...customRoles.keys()], 0, 2);
      const department = random.chance(0.8) ? random.pick(DEPARTMENTS) : null;
      const roles = [...builtIn, ...custom];
      const person = await people.person(tenantId, { roles, ...(department && { department }) });
      users.push({ label: `user${index}[${roles.join(',') || 'none'}|${department ?? 'no department'}]`, person, department, roles: new Set(roles) });
    }
    connectionId = await people.ssoConnection(tenantId);
    await administration.setMappings(operator, tenantId, connectionId, mappings.map(({ claim, value, role }) => ({ claim, value, roleName: role })));

    const teams = [...DEPARTMENTS, 'Belastingen', null];
    for (let index = 0; index < CASES; index++) {
      const team = random.pick(teams);
      const assignee = random.chance(0.5) ? random.pick(users).person.userId : null;
      const closed = random.chance(0.2);
      await people.database.query(
        `INSERT INTO cases (tenant_id, title, category, status, team, assignee_id, citizen_name, citizen_bsn, description, resolution, created_by, closed_at)
         VALUES ($1, $2, 'Bijstand', $3, $4, $5, 'Burger', '111222333', 'Toelichting', $6, $7, $8)`,
        [tenantId, `zaak${random.word(6)}`, closed ? 'closed' : 'open', team, assignee, closed ? 'Klaar' : null, users[0]!.person.userId, closed ? new Date() : null],
      );
    }
    // The clocks of the seeded rows, from the database: their order is what the service sorts by.
    const rows: Array<{ id: string; title: string; status: 'open' | 'closed'; team: string | null; assignee_id: string | null; created: string; updated: string }> =
      await people.database.query(
        `SELECT id, title, status, team, assignee_id,
                rank() OVER (ORDER BY created_at, id) AS created, rank() OVER (ORDER BY updated_at, id) AS updated
           FROM cases WHERE tenant_id = $1`,
        [tenantId],
      );
    for (const row of rows) {
      cases.push({ id: row.id, title: row.title, status: row.status, team: row.team, assigneeId: row.assignee_id, created: Number(row.created), updated: Number(row.updated) });
    }
    clock = CASES + 1;
  });
  afterAll(async () => {
    await people?.close();
    await service?.close();
  });

  // --- The documented rules ---------------------------------------------------------------------

  const permissionsOf = (user: ModelUser): Set<string> => {
    const granted = new Set<string>();
    for (const role of user.roles) {
      const permissions = customRoles.get(role) ?? CATALOGUE.filter((name) => DOCUMENTED_PERMISSIONS[name]!.includes(role));
      for (const permission of permissions) granted.add(permission);
    }
    return granted;
  };
  /** The user's own and their team's cases: assigned to them, or of a team that is their department. */
  const isTheirs = (user: ModelUser, item: ModelCase) => item.assigneeId === user.person.userId || (item.team !== null && item.team === user.department);
  const mayListAll = (can: Set<string>) => can.has('cases:read-all') || can.has('cases:read-summary');
  const mayRead = (can: Set<string>) => can.has('cases:read') || can.has('cases:read-all') || can.has('cases:read-summary');
  const seesPersonal = (user: ModelUser, can: Set<string>, item: ModelCase) => can.has('cases:read-all') || (can.has('cases:read') && isTheirs(user, item));
  const visible = (user: ModelUser, can: Set<string>) => cases.filter((item) => mayListAll(can) || isTheirs(user, item));

  const summaryOf = (item: ModelCase) => ({ id: item.id, title: item.title, status: item.status, team: item.team, assigneeId: item.assigneeId });
  const checkCase = (body: Record<string, unknown>, item: ModelCase, keys: string[]) =>
    same(Object.keys(body).sort(), keys, 'fields') ??
    same({ id: body['id'], title: body['title'], status: body['status'], team: body['team'], assigneeId: body['assigneeId'] }, summaryOf(item), 'case');

  const order = (sort: Sort) => {
    const descending = sort.startsWith('-');
    const key = sort.replace('-', '') as 'created' | 'updated' | 'title';
    return (a: ModelCase, b: ModelCase) => {
      const byKey = key === 'title' ? (a.title < b.title ? -1 : a.title > b.title ? 1 : 0) : a[key] - b[key];
      const result = byKey !== 0 ? byKey : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
      return descending ? -result : result;
    };
  };

  function predictList(user: ModelUser, can: Set<string>, query: { status?: string; sort?: Sort; limit?: number; offset?: number }): Prediction {
    if (!mayRead(can)) return { status: 403 };
    const matching = visible(user, can)
      .filter((item) => !query.status || item.status === query.status)
      .sort(order(query.sort ?? '-created'));
    const offset = query.offset ?? 0;
    const page = matching.slice(offset, offset + (query.limit ?? 20));
    return {
      status: 200,
      body: (response) => {
        const body = response.json<{ items: Array<Record<string, unknown>>; hasMore: boolean }>();
        return (
          same(body.hasMore, matching.length > offset + (query.limit ?? 20), 'hasMore') ??
          same(body.items.map((item) => item['id']), page.map((item) => item.id), 'ids in order') ??
          body.items.map((item) => same(Object.keys(item).sort(), SUMMARY_KEYS, 'list fields')).find(Boolean)
        );
      },
    };
  }

  function predictStatistics(user: ModelUser, can: Set<string>): Prediction {
    if (!mayRead(can)) return { status: 403 };
    const seen = visible(user, can);
    const counts = { open: seen.filter((item) => item.status === 'open').length, closed: seen.filter((item) => item.status === 'closed').length };
    return { status: 200, body: (response) => same(response.json(), counts, 'statistics') };
  }

  function predictRead(user: ModelUser, can: Set<string>, item: ModelCase | undefined): Prediction {
    if (!mayRead(can)) return { status: 403 };
    if (!item) return { status: 404 };
    if (seesPersonal(user, can, item)) return { status: 200, audits: 'data.viewed', body: (response) => checkCase(response.json(), item, DETAIL_KEYS) };
    if (mayListAll(can)) return { status: 200, body: (response) => checkCase(response.json(), item, SUMMARY_KEYS) };
    return { status: 404 };
  }

  function predictChange(user: ModelUser, can: Set<string>, item: ModelCase | undefined, permission: 'cases:update' | 'cases:close', title: string): Prediction {
    if (!can.has(permission)) return { status: 403 };
    if (!item || item.status !== 'open' || !seesPersonal(user, can, item)) return { status: 404 };
    const closing = permission === 'cases:close';
    return {
      status: 200,
      audits: 'data.updated',
      body: (response) => (closing ? same(response.json()['status'], 'closed', 'status') : same(response.json()['title'], title, 'title')),
      apply: () => {
        if (closing) item.status = 'closed';
        else item.title = title;
        item.updated = ++clock;
      },
    };
  }

  function predictAssign(can: Set<string>, item: ModelCase | undefined, assignment: { team?: string | null; assigneeId?: string | null }): Prediction {
    if (!can.has('cases:assign')) return { status: 403 };
    if (!item || item.status !== 'open') return { status: 404 };
    return {
      status: 200,
      audits: 'data.updated',
      body: (response) => same(Object.keys(response.json()).sort(), SUMMARY_KEYS, 'assignment fields'),
      apply: () => {
        if (assignment.team !== undefined) item.team = assignment.team;
        if (assignment.assigneeId !== undefined) item.assigneeId = assignment.assigneeId;
        item.updated = ++clock;
      },
    };
  }

  function predictCreate(user: ModelUser, can: Set<string>, title: string): Prediction {
    if (!can.has('cases:create')) return { status: 403 };
    return {
      status: 201,
      audits: 'data.created',
      body: (response) => same({ team: response.json()['team'], assigneeId: response.json()['assigneeId'] }, { team: user.department, assigneeId: user.person.userId }, 'new case'),
      apply: (response) => {
        const tick = ++clock;
        cases.push({ id: String(response.json()['id']), title, status: 'open', team: user.department, assigneeId: user.person.userId, created: tick, updated: tick });
      },
    };
  }

  function predictGrant(user: ModelUser, can: Set<string>, target: ModelUser, revoke: boolean): Prediction {
    if (!can.has('roles:manage')) return { status: 403 };
    if (target === user) return { status: 403 };
    if (revoke && !target.roles.has('viewer')) return { status: 422 };
    return { status: 204, apply: () => (revoke ? target.roles.delete('viewer') : target.roles.add('viewer')) };
  }

  function predictMe(user: ModelUser, can: Set<string>): Prediction {
    return { status: 200, body: (response) => same(response.json(), { userId: user.person.userId, roles: [...user.roles].sort(), permissions: [...can].sort() }, 'me') };
  }

  function predictAccessRead(can: Set<string>, path: 'permissions' | 'roles' | 'review' | 'mappings'): Prediction {
    const needed = path === 'review' ? 'access-review:read' : 'roles:read';
    if (!can.has(needed)) return { status: 403 };
    const items = (response: TestResponse) => response.json<{ items: Array<Record<string, unknown>> }>().items;
    switch (path) {
      case 'permissions':
        return {
          status: 200,
          body: (response) =>
            same(
              items(response).map((item) => [item['name'], item['grantedTo']]),
              CATALOGUE.map((name) => [name, DOCUMENTED_PERMISSIONS[name]]),
              'catalogue',
            ),
        };
      case 'roles':
        return {
          status: 200,
          body: (response) =>
            same(
              items(response).map((item) => [item['name'], item['builtIn'], item['permissions']]),
              [
                ...BUILT_IN.map((role) => [role, true, CATALOGUE.filter((name) => DOCUMENTED_PERMISSIONS[name]!.includes(role))]),
                ...[...customRoles].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, permissions]) => [name, false, permissions]),
              ],
              'roles',
            ),
        };
      case 'mappings':
        return { status: 200, body: (response) => same(items(response), mappings, 'mappings') };
      case 'review': {
        const expected = users
          .filter((user) => user.roles.size > 0)
          .map((user) => ({
            userId: user.person.userId,
            roles: [...user.roles].sort().map((name) => ({ name, source: 'in-app' })),
            permissions: [...permissionsOf(user)].sort(),
          }))
          .sort((a, b) => (a.userId < b.userId ? -1 : 1));
        return {
          status: 200,
          body: (response) =>
            same(
              items(response)
                .map((item) => ({
                  userId: item['userId'],
                  roles: (item['roles'] as Array<{ name: string; source: string }>).map(({ name, source }) => ({ name, source })).sort((a, b) => (a.name < b.name ? -1 : 1)),
                  permissions: item['permissions'],
                }))
                .sort((a, b) => (String(a.userId) < String(b.userId) ? -1 : 1)),
              expected,
              'review',
            ),
        };
      }
    }
  }

  it('[SE-4.1] answers 420 random requests of users with random built-in and custom roles exactly as the documented rules predict', async () => {
    const mismatches: string[] = [];
    const predictedAudits = { 'data.viewed': 0, 'data.created': 0, 'data.updated': 0 };
    const unknownId = random.uuid();
    const tally = new Map<number, number>();

    for (let index = 0; index < REQUESTS; index++) {
      const anonymous = random.chance(0.02);
      const user = random.pick(users);
      const can = permissionsOf(user);
      const item = random.chance(0.08) ? undefined : random.pick(cases);
      const caseId = item?.id ?? unknownId;
      let method = 'GET';
      let path: string;
      let body: unknown;
      let prediction: Prediction;
      const kind = random.int(100);
      if (kind < 22) {
        const query: { status?: string; sort?: Sort; limit?: number; offset?: number } = {};
        if (random.chance(0.4)) query.status = random.pick(['open', 'closed']);
        if (random.chance(0.7)) query.sort = random.pick(SORTS);
        if (random.chance(0.6)) query.limit = 1 + random.int(40);
        if (random.chance(0.4)) query.offset = random.int(36);
        const search = new URLSearchParams(Object.entries(query).map(([key, value]) => [key, String(value)]));
        path = `/api/cases${search.size > 0 ? `?${search}` : ''}`;
        prediction = predictList(user, can, query);
      } else if (kind < 30) {
        path = '/api/cases/statistics';
        prediction = predictStatistics(user, can);
      } else if (kind < 55) {
        path = `/api/cases/${caseId}`;
        prediction = predictRead(user, can, item);
      } else if (kind < 63) {
        method = 'PATCH';
        path = `/api/cases/${caseId}`;
        const title = `zaak${random.word(6)}`;
        body = { title };
        prediction = predictChange(user, can, item, 'cases:update', title);
      } else if (kind < 67) {
        method = 'POST';
        path = `/api/cases/${caseId}/close`;
        body = { resolution: 'Afgehandeld' };
        prediction = predictChange(user, can, item, 'cases:close', '');
      } else if (kind < 72) {
        const target = item;
        method = 'PUT';
        path = `/api/cases/${target?.id ?? unknownId}/assignment`;
        const assignment = random.chance(0.5) ? { team: random.pick([...DEPARTMENTS, null]) } : { assigneeId: random.chance(0.8) ? random.pick(users).person.userId : null };
        body = assignment;
        prediction = predictAssign(can, target, assignment);
      } else if (kind < 75) {
        method = 'POST';
        path = '/api/cases';
        const title = `zaak${random.word(6)}`;
        body = { title, category: 'Bijstand', citizenName: 'Burger', citizenBsn: '123456782' };
        prediction = predictCreate(user, can, title);
      } else if (kind < 79) {
        const target = random.pick(users);
        const revoke = random.chance(0.5);
        method = revoke ? 'DELETE' : 'PUT';
        path = `/api/access/users/${target.person.userId}/roles/viewer`;
        prediction = predictGrant(user, can, target, revoke);
      } else if (kind < 84) {
        path = '/api/access/me';
        prediction = predictMe(user, can);
      } else {
        const which = random.pick(['permissions', 'roles', 'review', 'mappings'] as const);
        path = which === 'mappings' ? `/api/access/connections/${connectionId}/mappings` : `/api/access/${which}`;
        prediction = predictAccessRead(can, which);
      }
      if (anonymous) prediction = { status: 401 };

      const response = await people.call(anonymous ? undefined : user.person.cookie, method, path, body);
      tally.set(response.status, (tally.get(response.status) ?? 0) + 1);
      const who = anonymous ? 'anonymous' : user.label;
      if (response.status !== prediction.status) {
        mismatches.push(`#${index} ${who} ${method} ${path}: expected ${prediction.status}, got ${response.status} ${response.body.slice(0, 200)}`);
        continue;
      }
      const difference = prediction.body?.(response);
      if (difference) mismatches.push(`#${index} ${who} ${method} ${path}: ${difference}`);
      prediction.apply?.(response);
      if (prediction.audits) predictedAudits[prediction.audits]++;
    }

    const ours = new Set(users.map((user) => user.person.userId));
    const stored = (await service.auditEvents()).filter((event) => event.tenantId === tenantId && ours.has(event.actor.userId ?? ''));
    const storedAudits = Object.fromEntries(Object.keys(predictedAudits).map((action) => [action, stored.filter((event) => event.action === action).length]));
    if (JSON.stringify(storedAudits) !== JSON.stringify(predictedAudits)) {
      mismatches.push(`audit events: expected ${JSON.stringify(predictedAudits)}, stored ${JSON.stringify(storedAudits)}`);
    }
    // The run must have exercised both sides of the rules, or it proves little.
    expect([...tally.keys()], `statuses seen (seed ${SEED})`).toEqual(expect.arrayContaining([200, 403, 404]));
    expect(mismatches, `seed ${SEED}: ${mismatches.length} mismatches (ORACLE_SEED=${SEED} repeats this run)`).toEqual([]);
  });
});
