import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '@veilig/audit';
import { startTestApi, type TestApi } from '../support/test-api.js';
import { TenantPeople, type Person } from '../support/tenant-people.js';

describe("the customer's auditor reads the audit log", () => {
  let service: TestApi;
  let people: TenantPeople;
  let auditor: Person;
  let member: Person;
  let otherTenantMember: Person;

  beforeAll(async () => {
    service = await startTestApi();
    people = await TenantPeople.open(service);
    const tenantId = await people.tenant('gemeente-audit');
    auditor = await people.person(tenantId, { roles: ['auditor'] });
    member = await people.person(tenantId, { roles: ['member'], department: 'Wmo' });
    otherTenantMember = await people.person(await people.tenant('gemeente-anders'), { roles: ['member'] });
    for (const title of ['Losliggende stoeptegel', 'Kapotte lantaarnpaal', 'Zwerfafval']) {
      await member.call('POST', '/api/cases', { title, category: 'openbare-ruimte', citizenName: 'J. de Vries' });
      await otherTenantMember.call('POST', '/api/cases', { title, category: 'openbare-ruimte', citizenName: 'K. Jansen' });
    }
  });
  afterAll(async () => {
    await people?.close();
    await service?.close();
  });

  it('[SE-3.2] [SE-6.2] shows an auditor the events of their own tenant only, filtered and paged by cursor', async () => {
    const first = await auditor.call('GET', '/api/audit/events?action=data.created&limit=2');
    expect(first.status).toBe(200);
    const page = first.json<{ events: Array<{ event: AuditEvent }>; nextCursor: string | null }>();
    expect(page.events).toHaveLength(2);
    expect(page.events.every(({ event }) => event.tenantId === auditor.tenantId && event.action === 'data.created')).toBe(true);
    const second = (await auditor.call('GET', `/api/audit/events?action=data.created&limit=2&cursor=${page.nextCursor}`)).json<typeof page>();
    expect(second.events).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const byActor = (await auditor.call('GET', `/api/audit/events?actor=${member.userId}`)).json<typeof page>();
    expect(byActor.events.every(({ event }) => event.actor.userId === member.userId)).toBe(true);
    expect(byActor.events.length).toBeGreaterThanOrEqual(3);
  });

  it('[SE-3.2] refuses a bad filter with 400 problem+json, never a 500', async () => {
    for (const query of ['action=nonsense', 'from=yesterday', 'limit=100000', 'unknown=1', 'outcome=maybe']) {
      const response = await auditor.call('GET', `/api/audit/events?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    }
  });

  it('[SE-3.2] [SE-4.1] gives the audit log to the auditor only', async () => {
    expect((await member.call('GET', '/api/audit/events')).status).toBe(403);
    expect((await member.call('GET', '/api/audit/export')).status).toBe(403);
    expect((await auditor.call('GET', '/api/cases')).status).toBe(403);
  });

  it('[SE-3.2] [SV-7.9] exports CSV and JSON Lines, and records the export before it is sent', async () => {
    const csv = await auditor.call('GET', '/api/audit/export?format=csv&action=data.');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body.split('\r\n').length).toBeGreaterThan(3);
    expect(csv.body).not.toContain(otherTenantMember.userId);
    const lines = (await auditor.call('GET', '/api/audit/export?format=jsonl')).body.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.every((line: { event: AuditEvent }) => line.event.tenantId === auditor.tenantId)).toBe(true);
    const exported = (await service.auditEvents()).filter((event) => event.action === 'data.exported' && event.actor.userId === auditor.userId);
    expect(exported.map((event) => event.details?.['format'])).toEqual(['csv', 'jsonl']);
  });

  it('[SE-3.2] reports an intact hash chain, and the first tampered row after an edit beneath the application', async () => {
    expect((await auditor.call('GET', '/api/audit/verification')).json()).toMatchObject({ ok: true });
    await people.database.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
    try {
      await people.database.query(`UPDATE audit_events SET event = jsonb_set(event, '{reason}', '"edited"') WHERE tenant_id = $1 AND sequence = 3`, [auditor.tenantId]);
    } finally {
      await people.database.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
    }
    expect((await auditor.call('GET', '/api/audit/verification')).json()).toMatchObject({ ok: false, sequence: 3 });
  });
});
