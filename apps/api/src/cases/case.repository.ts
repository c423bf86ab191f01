import { Injectable } from '@nestjs/common';
import { TenantScope } from '@veilig/tenancy';
import type { CaseChange, CaseDetail, CaseListQuery, CaseStatus, CaseSummary, NewCase } from './case.js';

/**
 * Whose cases a statement may touch, decided by the service from the user's permissions and
 * passed to every method, so no query of this repository exists without it. Row-level security
 * keeps every statement inside the session's tenant on top of this.
 */
export interface CaseVisibility {
  /** Every case of the tenant; otherwise only the user's own and their team's. */
  readonly all: boolean;
  readonly userId: string;
  readonly team: string | null;
}

interface CaseRow {
  id: string;
  title: string;
  category: string;
  status: CaseStatus;
  team: string | null;
  assignee_id: string | null;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
  citizen_name: string;
  citizen_bsn: string | null;
  citizen_address: string | null;
  description: string;
  resolution: string | null;
  created_by: string;
}

const SUMMARY_COLUMNS = 'id, title, category, status, team, assignee_id, created_at, updated_at, closed_at';
const DETAIL_COLUMNS = `${SUMMARY_COLUMNS}, citizen_name, citizen_bsn, citizen_address, description, resolution, created_by`;
/** $1, $2, $3 of every statement below: the visibility. */
const VISIBLE = '($1::boolean OR assignee_id = $2::uuid OR (team IS NOT NULL AND team = $3::text))';
const ORDER_BY: Record<CaseListQuery['sort'], string> = {
  created: 'created_at ASC, id ASC',
  '-created': 'created_at DESC, id DESC',
  updated: 'updated_at ASC, id ASC',
  '-updated': 'updated_at DESC, id DESC',
  title: 'title ASC, id ASC',
  '-title': 'title DESC, id DESC',
};

@Injectable()
export class CaseRepository {
  constructor(private readonly scope: TenantScope) {}

  /**
   * One page, and whether another follows (one row more is read to know). No total: counting
   * every visible case to show 20 of them made the list cost what the tenant's size costs;
   * /statistics gives the counts.
   */
  async list(visibility: CaseVisibility, query: CaseListQuery): Promise<{ items: CaseSummary[]; hasMore: boolean }> {
    const rows = await this.scope.query<CaseRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM cases
        WHERE ${VISIBLE} AND ($4::text IS NULL OR status = $4)
        ORDER BY ${ORDER_BY[query.sort]} LIMIT $5 OFFSET $6`,
      [...bind(visibility), query.status ?? null, query.limit + 1, query.offset],
    );
    return { items: rows.slice(0, query.limit).map(toSummary), hasMore: rows.length > query.limit };
  }

  async countByStatus(visibility: CaseVisibility): Promise<Record<CaseStatus, number>> {
    const rows = await this.scope.query<{ status: CaseStatus; count: string }>(
      `SELECT status, count(*) AS count FROM cases WHERE ${VISIBLE} GROUP BY status`,
      bind(visibility),
    );
    return { open: 0, closed: 0, ...Object.fromEntries(rows.map((row) => [row.status, Number(row.count)])) };
  }

  /** The case with its personal data, if visible; `undefined` for a case that does not exist and for one that is not visible alike. */
  async find(visibility: CaseVisibility, id: string): Promise<CaseDetail | undefined> {
    const rows = await this.scope.query<CaseRow>(`SELECT ${DETAIL_COLUMNS} FROM cases WHERE ${VISIBLE} AND id = $4`, [...bind(visibility), id]);
    return rows[0] && toDetail(rows[0]);
  }

  async findSummary(visibility: CaseVisibility, id: string): Promise<CaseSummary | undefined> {
    const rows = await this.scope.query<CaseRow>(`SELECT ${SUMMARY_COLUMNS} FROM cases WHERE ${VISIBLE} AND id = $4`, [...bind(visibility), id]);
    return rows[0] && toSummary(rows[0]);
  }

  /** Whether a case exists in the tenant at all, whoever may see it: to record a refused attempt at one. */
  async exists(id: string): Promise<boolean> {
    return (await this.scope.query('SELECT 1 FROM cases WHERE id = $1', [id])).length > 0;
  }

  async create(input: NewCase, creator: { userId: string; team: string | null }): Promise<CaseDetail> {
    const rows = await this.scope.query<CaseRow>(
      `INSERT INTO cases (title, category, citizen_name, citizen_bsn, citizen_address, description, team, assignee_id, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING ${DETAIL_COLUMNS}`,
      [input.title, input.category, input.citizenName, input.citizenBsn ?? null, input.citizenAddress ?? null, input.description, creator.team, creator.userId],
    );
    return toDetail(rows[0]!);
  }

  /** Changes an open, visible case; `undefined` when there is none. */
  async update(visibility: CaseVisibility, id: string, change: CaseChange): Promise<CaseDetail | undefined> {
    const rows = await this.scope.query<CaseRow>(
      `UPDATE cases SET
         title = coalesce($5, title), category = coalesce($6, category), citizen_name = coalesce($7, citizen_name),
         citizen_bsn = CASE WHEN $8::boolean THEN $9 ELSE citizen_bsn END,
         citizen_address = CASE WHEN $10::boolean THEN $11 ELSE citizen_address END,
         description = coalesce($12, description), updated_at = now()
       WHERE ${VISIBLE} AND id = $4 AND status = 'open' RETURNING ${DETAIL_COLUMNS}`,
      [
        ...bind(visibility),
        id,
        change.title ?? null,
        change.category ?? null,
        change.citizenName ?? null,
        change.citizenBsn !== undefined,
        change.citizenBsn ?? null,
        change.citizenAddress !== undefined,
        change.citizenAddress ?? null,
        change.description ?? null,
      ],
    );
    return rows[0] && toDetail(rows[0]);
  }

  async close(visibility: CaseVisibility, id: string, resolution: string): Promise<CaseSummary | undefined> {
    const rows = await this.scope.query<CaseRow>(
      `UPDATE cases SET status = 'closed', resolution = $5, closed_at = now(), updated_at = now()
        WHERE ${VISIBLE} AND id = $4 AND status = 'open' RETURNING ${SUMMARY_COLUMNS}`,
      [...bind(visibility), id, resolution],
    );
    return rows[0] && toSummary(rows[0]);
  }

  /** Assigns an open case; `undefined` when there is none (closed cases stay as they were closed). */
  async assign(id: string, assignment: { assigneeId?: string | null; team?: string | null }): Promise<CaseSummary | undefined> {
    const rows = await this.scope.query<CaseRow>(
      `UPDATE cases SET
         assignee_id = CASE WHEN $2::boolean THEN $3::uuid ELSE assignee_id END,
         team = CASE WHEN $4::boolean THEN $5 ELSE team END, updated_at = now()
       WHERE id = $1 AND status = 'open' RETURNING ${SUMMARY_COLUMNS}`,
      [id, assignment.assigneeId !== undefined, assignment.assigneeId ?? null, assignment.team !== undefined, assignment.team ?? null],
    );
    return rows[0] && toSummary(rows[0]);
  }
}

function bind(visibility: CaseVisibility): [boolean, string, string | null] {
  return [visibility.all, visibility.userId, visibility.team];
}

function toSummary(row: CaseRow): CaseSummary {
  return {
    id: row.id,
    title: row.title,
    category: row.category,
    status: row.status,
    team: row.team,
    assigneeId: row.assignee_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    closedAt: row.closed_at?.toISOString() ?? null,
  };
}

function toDetail(row: CaseRow): CaseDetail {
  return {
    ...toSummary(row),
    citizenName: row.citizen_name,
    citizenBsn: row.citizen_bsn,
    citizenAddress: row.citizen_address,
    description: row.description,
    resolution: row.resolution,
    createdBy: row.created_by,
  };
}
