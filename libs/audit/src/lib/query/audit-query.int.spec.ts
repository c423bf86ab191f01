import { randomUUID } from 'node:crypto';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@veilig/platform-testing';
import { TenantContext, TenantScope } from '@veilig/tenancy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_MIGRATIONS } from '../migrations/index.js';
import type { AuditEventInput } from '../model/audit-event.js';
import { AuditWriter } from '../writer/audit-writer.js';
import { AuditQuery } from './audit-query.js';
import { AuditQueryError } from './audit-query.error.js';

const TENANT_A = randomUUID();
const TENANT_B = randomUUID();
const JAN = randomUUID();
const PIET = randomUUID();
const T0 = Date.parse('2026-02-01T12:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

const asTenant = <T>(tenantId: string, work: () => Promise<T>): Promise<T> => TenantContext.run({ tenantId, actorId: JAN }, work);

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

describe('AuditQuery on PostgreSQL', () => {
  let db: MigratedTestDatabase;
  let query: AuditQuery;

  beforeAll(async () => {
    db = await createMigratedTestDatabase(AUDIT_MIGRATIONS);
    const scope = new TenantScope(db.app);
    const writer = new AuditWriter(scope);
    query = new AuditQuery(scope);
    const jan = { type: 'user', userId: JAN, email: 'Jan@Gemeente.example', displayName: 'Jan' } as const;
    const piet = { type: 'user', userId: PIET, email: 'piet@gemeente.example' } as const;
    const events: AuditEventInput[] = [
      { tenantId: TENANT_A, action: 'auth.logon', outcome: 'success', actor: jan, occurredAt: at(0) },
      { tenantId: TENANT_A, action: 'auth.failed', outcome: 'failure', actor: piet, occurredAt: at(1) },
      { tenantId: TENANT_A, action: 'data.viewed', outcome: 'success', actor: jan, target: { type: 'dossier', id: 'D-1' }, occurredAt: at(2) },
      { tenantId: TENANT_A, action: 'data.updated', outcome: 'failure', actor: piet, target: { type: 'dossier', id: 'D-2' }, occurredAt: at(3) },
      { tenantId: TENANT_A, action: 'access.denied', outcome: 'denied', actor: piet, target: { type: 'dossier', id: 'D-1' }, occurredAt: at(4) },
      { tenantId: TENANT_A, action: 'auth.logoff', outcome: 'success', actor: jan, occurredAt: at(5) },
      {
        tenantId: TENANT_A,
        action: 'data.created',
        outcome: 'success',
        actor: { type: 'user', userId: JAN, displayName: '@SUM(1+1)*cmd|" /C calc"!A0' },
        reason: '=HYPERLINK("http://evil.example","click")',
        target: { type: '+dossier', id: '-1' },
        details: { note: 'a, "quoted" value' },
        occurredAt: at(6),
      },
      ...Array.from({ length: 16 }, (_, n): AuditEventInput => ({
        tenantId: TENANT_A,
        action: 'data.viewed',
        outcome: 'success',
        actor: jan,
        target: { type: 'report', id: `R-${n}` },
        occurredAt: at(10 + n),
      })),
      { tenantId: TENANT_B, action: 'auth.logon', outcome: 'success', actor: jan, occurredAt: at(0) },
    ];
    for (const event of events) await writer.record(event);
  });
  afterAll(async () => {
    await db?.close();
  });

  const actions = async (filter: Parameters<AuditQuery['search']>[0], tenant = TENANT_A) =>
    (await asTenant(tenant, () => query.search(filter, undefined, 500))).events.map(({ event }) => event.action);

  it('[SE-3.2] [SV-7.9] finds events by time range, actor id or e-mail, exact action or prefix, target and outcome, newest first', async () => {
    expect(await actions({ from: at(1), to: at(4) })).toEqual(['data.updated', 'data.viewed', 'auth.failed']);
    expect(await actions({ from: at(1).toISOString(), to: '2026-02-01T13:04:00.000+01:00' })).toEqual(['data.updated', 'data.viewed', 'auth.failed']);
    expect(await actions({ actor: PIET })).toEqual(['access.denied', 'data.updated', 'auth.failed']);
    expect(await actions({ actor: 'PIET@gemeente.example' })).toEqual(['access.denied', 'data.updated', 'auth.failed']);
    expect(await actions({ action: 'auth.' })).toEqual(['auth.logoff', 'auth.failed', 'auth.logon']);
    expect(await actions({ action: 'auth.logon' })).toEqual(['auth.logon']);
    expect(await actions({ targetType: 'dossier', targetId: 'D-1' })).toEqual(['access.denied', 'data.viewed']);
    expect(await actions({ outcome: 'failure' })).toEqual(['data.updated', 'auth.failed']);
    expect(await actions({ actor: JAN, action: 'data.', to: at(10) })).toEqual(['data.created', 'data.viewed']);
  });

  it('[SE-3.2] pages newest first through an opaque cursor, without repeats or gaps', async () => {
    const sequences: number[] = [];
    const cursors: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await asTenant(TENANT_A, () => query.search({}, cursor, 10));
      sequences.push(...page.events.map(({ sequence }) => sequence));
      cursor = page.nextCursor ?? undefined;
      if (cursor) cursors.push(cursor);
    } while (cursor);
    expect(sequences).toEqual(Array.from({ length: 23 }, (_, n) => 23 - n));
    expect(cursors).toHaveLength(2);
    for (const opaque of cursors) expect(opaque).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('[SE-3.2] [SE-6.2] shows a tenant only its own events', async () => {
    const seenByB = await asTenant(TENANT_B, () => query.search({}, undefined, 500));
    expect(seenByB.events.map(({ event }) => event.tenantId)).toEqual([TENANT_B]);
    expect(await collect(TenantContext.run({ tenantId: TENANT_B, actorId: JAN }, () => query.exportJsonLines({})))).not.toContain(TENANT_A);
  });

  it.each([
    ['an unknown action', { action: 'auth.hacked' }],
    ['a prefix of no action', { action: 'nothing.' }],
    ['a prefix with LIKE wildcards', { action: 'auth%.' }],
    ['"from" after "to"', { from: at(5), to: at(1) }],
    ['a time without a zone', { from: '2026-02-01T12:00:00' }],
    ['an unknown filter', { tenantId: TENANT_B }],
    ['an empty actor', { actor: ' ' }],
    ['an unknown outcome', { outcome: 'maybe' }],
  ])('[SE-3.2] refuses %s with AuditQueryError', async (_what, filter) => {
    await expect(asTenant(TENANT_A, () => query.search(filter as Parameters<AuditQuery['search']>[0]))).rejects.toThrow(AuditQueryError);
    expect(() => TenantContext.run({ tenantId: TENANT_A, actorId: JAN }, () => query.exportCsv(filter as Parameters<AuditQuery['exportCsv']>[0]))).toThrow(
      AuditQueryError,
    );
  });

  it('[SE-3.2] refuses a limit outside 1–500 and a cursor it did not issue', async () => {
    for (const limit of [0, 501, 1.5]) await expect(asTenant(TENANT_A, () => query.search({}, undefined, limit))).rejects.toThrow(AuditQueryError);
    for (const cursor of ['', '!!', Buffer.from('0').toString('base64url'), Buffer.from('1 OR 1=1').toString('base64url')]) {
      await expect(asTenant(TENANT_A, () => query.search({}, cursor))).rejects.toThrow(/cursor is not one this API returned/);
    }
  });

  it('[SE-3.2] exports CSV with a header row, one row per event oldest first, and formula cells made inert', async () => {
    const csv = await collect(TenantContext.run({ tenantId: TENANT_A, actorId: JAN }, () => query.exportCsv({ to: at(7) })));
    const lines = csv.split('\r\n').filter((line) => line.length > 0);
    expect(lines[0]).toBe(
      'sequence,occurredAt,action,outcome,actorType,actorUserId,actorEmail,actorDisplayName,actorIdpSubject,actorOperator,sessionId,deviceIp,deviceUserAgent,deviceId,targetType,targetId,reason,requestId,details,eventId,tenantId,hash',
    );
    expect(lines).toHaveLength(8);
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    const injected = lines[7]!;
    expect(injected).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(injected).toContain(`"'@SUM(1+1)*cmd|"" /C calc""!A0"`);
    expect(injected).toContain(",'+dossier,'-1,");
    expect(injected).toContain('"{""note"":""a, \\""quoted\\"" value""}"');
    for (const line of lines) expect(line.split(',').some((cell) => /^[=+\-@\t\r]/.test(cell))).toBe(false);
  });

  it('[SE-3.2] exports JSON Lines oldest first, each line a chained event', async () => {
    const lines = (await collect(TenantContext.run({ tenantId: TENANT_A, actorId: JAN }, () => query.exportJsonLines({ action: 'data.viewed' })))).trimEnd().split('\n');
    const parsed = lines.map((line) => JSON.parse(line) as { sequence: number; hash: string; previousHash: string; event: { action: string } });
    expect(parsed).toHaveLength(17);
    expect(parsed.map(({ sequence }) => sequence)).toEqual([...parsed.map(({ sequence }) => sequence)].sort((a, b) => a - b));
    for (const line of parsed) {
      expect(line.event.action).toBe('data.viewed');
      expect(line.hash).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});
