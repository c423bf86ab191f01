/** What the full-path targets read: a page of the example cases module (apps/api/src/cases). */
export const CASE_PAGE_SIZE = 20;

const SUMMARY_COLUMNS = 'id, title, category, status, team, assignee_id, created_at, updated_at, closed_at';

/**
 * The baseline page: the summary columns GET /api/cases returns, newest first as the route
 * sorts by default, with the tenant filter a repository would write. Sent by the table owner as
 * one statement, it is what reading a page costs without any of the kit's protection.
 */
export const OWNER_PAGE_SQL = `SELECT ${SUMMARY_COLUMNS} FROM cases WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT ${CASE_PAGE_SIZE}`;

/**
 * The statement CaseRepository.list sends for GET /api/cases?limit=20, copied with its
 * parameters as the route binds them for a cases:read-all caller ($1 true, no status filter,
 * offset 0), plus the tenant filter that row-level security adds under the application role.
 * It differs from OWNER_PAGE_SQL by one row more (to tell whether another page follows) and by
 * the visibility and status predicates, which fold away at planning with these values.
 */
export const ROUTE_PAGE_SQL_AS_OWNER = `SELECT ${SUMMARY_COLUMNS} FROM cases
  WHERE tenant_id = $7 AND ($1::boolean OR assignee_id = $2::uuid OR (team IS NOT NULL AND team = $3::text)) AND ($4::text IS NULL OR status = $4)
  ORDER BY created_at DESC, id DESC LIMIT $5 OFFSET $6`;

export function routePageParameters(tenantId: string, userId: string): unknown[] {
  return [true, userId, 'Publiekszaken', null, CASE_PAGE_SIZE + 1, 0, tenantId];
}
