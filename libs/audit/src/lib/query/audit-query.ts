import { csvLine } from '@veilig/platform-http';
import { TenantContext, type TenantIdentity, type TenantScope } from '@veilig/tenancy';
import { z } from 'zod';
import type { AuditEvent, ChainedAuditEvent } from '../model/audit-event.js';
import { AuditQueryError } from './audit-query.error.js';
import { filterSql, type AuditQueryFilter } from './audit-query-filter.js';

export interface AuditQueryPage {
  /** Newest first. */
  readonly events: readonly ChainedAuditEvent[];
  /** Pass to the next `search` for the following (older) page; null on the last page. */
  readonly nextCursor: string | null;
}

interface EventRow {
  readonly sequence: string;
  readonly event: AuditEvent;
  readonly hash: string;
  readonly previous_hash: string;
}

const EXPORT_PAGE_SIZE = 500;
const limitSchema = z.number().int().min(1).max(500);
const CURSOR = /^[1-9][0-9]{0,15}$/;

const CSV_COLUMNS: ReadonlyArray<readonly [string, (row: ChainedAuditEvent) => string | number | undefined]> = [
  ['sequence', (row) => row.sequence],
  ['occurredAt', (row) => row.event.occurredAt],
  ['action', (row) => row.event.action],
  ['outcome', (row) => row.event.outcome],
  ['actorType', (row) => row.event.actor.type],
  ['actorUserId', (row) => row.event.actor.userId],
  ['actorEmail', (row) => row.event.actor.email],
  ['actorDisplayName', (row) => row.event.actor.displayName],
  ['actorIdpSubject', (row) => row.event.actor.idpSubject],
  ['actorOperator', (row) => row.event.actor.operator],
  ['sessionId', (row) => row.event.sessionId],
  ['deviceIp', (row) => row.event.device?.ip],
  ['deviceUserAgent', (row) => row.event.device?.userAgent],
  ['deviceId', (row) => row.event.device?.deviceId],
  ['targetType', (row) => row.event.target?.type],
  ['targetId', (row) => row.event.target?.id],
  ['reason', (row) => row.event.reason],
  ['requestId', (row) => row.event.requestId],
  ['details', (row) => (row.event.details ? JSON.stringify(row.event.details) : undefined)],
  ['eventId', (row) => row.event.id],
  ['tenantId', (row) => row.event.tenantId],
  ['hash', (row) => row.hash],
];

/**
 * The customer's auditor's view of its own audit log (SE-3.2): search and export within the
 * current tenant context. Every query names the tenant and runs through TenantScope, so
 * row-level security scopes it even if a condition were wrong.
 */
export class AuditQuery {
  constructor(private readonly scope: TenantScope) {}

  /** A page of events matching `filter`, newest first; `cursor` is a previous page's `nextCursor`. */
  async search(filter: AuditQueryFilter, cursor?: string, limit = 50): Promise<AuditQueryPage> {
    const checkedLimit = limitSchema.safeParse(limit);
    if (!checkedLimit.success) throw new AuditQueryError(`limit must be a whole number from 1 to 500, not ${String(limit)}`);
    const rows = await this.page(filter, 'newest', cursor === undefined ? undefined : sequenceOf(cursor), checkedLimit.data + 1);
    const events = rows.slice(0, checkedLimit.data);
    const more = rows.length > checkedLimit.data;
    return { events, nextCursor: more ? cursorOf(events.at(-1)!.sequence) : null };
  }

  /**
   * Every matching event as CSV (header row first, oldest first), in chunks of many rows. A bad
   * filter, or a missing tenant context, is refused here, before anything is streamed; the
   * chunks are read for the tenant of this call, wherever the iterable is consumed.
   */
  exportCsv(filter: AuditQueryFilter): AsyncIterable<string> {
    filterSql(filter);
    return this.csvChunks(filter, TenantContext.current());
  }

  /** Every matching event as JSON Lines (oldest first), one `{"sequence","hash","previousHash","event"}` per line; as `exportCsv`. */
  exportJsonLines(filter: AuditQueryFilter): AsyncIterable<string> {
    filterSql(filter);
    return this.jsonLineChunks(filter, TenantContext.current());
  }

  private async *csvChunks(filter: AuditQueryFilter, identity: TenantIdentity): AsyncIterable<string> {
    yield csvLine(CSV_COLUMNS.map(([name]) => name));
    for await (const rows of this.allPages(filter, identity)) {
      yield rows.map((row) => csvLine(CSV_COLUMNS.map(([, value]) => value(row)))).join('');
    }
  }

  private async *jsonLineChunks(filter: AuditQueryFilter, identity: TenantIdentity): AsyncIterable<string> {
    for await (const rows of this.allPages(filter, identity)) {
      yield rows.map(({ sequence, hash, previousHash, event }) => `${JSON.stringify({ sequence, hash, previousHash, event })}\n`).join('');
    }
  }

  private async *allPages(filter: AuditQueryFilter, identity: TenantIdentity): AsyncIterable<readonly ChainedAuditEvent[]> {
    let after: number | undefined;
    for (;;) {
      const rows = await TenantContext.run(identity, () => this.page(filter, 'oldest', after, EXPORT_PAGE_SIZE));
      if (rows.length > 0) yield rows;
      if (rows.length < EXPORT_PAGE_SIZE) return;
      after = rows.at(-1)!.sequence;
    }
  }

  /** Rows after (`oldest`) or before (`newest`) sequence `boundary`, in that order. */
  private async page(filter: AuditQueryFilter, order: 'newest' | 'oldest', boundary: number | undefined, limit: number): Promise<ChainedAuditEvent[]> {
    const { conditions, values } = filterSql(filter);
    const parameters: unknown[] = [TenantContext.current().tenantId, ...values];
    const where = ['tenant_id = $1', ...conditions];
    if (boundary !== undefined) {
      parameters.push(boundary);
      where.push(`sequence ${order === 'newest' ? '<' : '>'} $${parameters.length}`);
    }
    parameters.push(limit);
    const rows = await this.scope.query<EventRow>(
      `SELECT sequence, event, encode(hash, 'hex') AS hash, encode(previous_hash, 'hex') AS previous_hash
         FROM audit_events WHERE ${where.join(' AND ')}
        ORDER BY sequence ${order === 'newest' ? 'DESC' : 'ASC'} LIMIT $${parameters.length}`,
      parameters,
    );
    return rows.map((row) => ({ event: row.event, sequence: Number(row.sequence), hash: row.hash, previousHash: row.previous_hash }));
  }
}

function cursorOf(sequence: number): string {
  return Buffer.from(String(sequence), 'utf8').toString('base64url');
}

function sequenceOf(cursor: string): number {
  const text = /^[A-Za-z0-9_-]{1,24}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!CURSOR.test(text)) throw new AuditQueryError('cursor is not one this API returned');
  return Number(text);
}
