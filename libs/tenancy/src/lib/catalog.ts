import { applicationRoleProblems, queryRows } from '@veilig/platform-database';
import type { DataSource } from 'typeorm';

/** A table with a tenant_id that deliberately has no row-level security, and why. */
export interface TenantTableExemption {
  /** `schema.table`, or `table` in the public schema. */
  readonly table: string;
  readonly reason: string;
}

export interface TenantIsolationOptions {
  /** Keep it short: on each of these tables, isolation rests on the code's own filters alone. */
  readonly exemptions?: readonly TenantTableExemption[];
}

type PolicyCommand = 'r' | 'a' | 'w' | 'd' | '*';

interface PolicyRow {
  readonly name: string;
  readonly command: PolicyCommand;
  readonly permissive: boolean;
  readonly using: string | null;
  readonly check: string | null;
}

interface TenantTableRow {
  readonly table: string;
  readonly enabled: boolean;
  readonly forced: boolean;
  readonly policies: readonly PolicyRow[];
}

const COMMANDS = { r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE' } as const;
/** Commands whose policies filter existing rows (USING), and those that admit new row versions (WITH CHECK). */
const FILTERS_ROWS: readonly PolicyCommand[] = ['r', 'w', 'd', '*'];
const ADMITS_ROWS: readonly PolicyCommand[] = ['a', 'w', '*'];

const TENANT_COLUMN_JOIN = `
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND a.attnum > 0 AND NOT a.attisdropped`;
const APPLICATION_SCHEMA = `n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'`;

/**
 * What lets one tenant's request reach another tenant's rows, read from the catalog so that it
 * covers every table, including the ones nobody remembered to test. Checked, for every table
 * with a `tenant_id` outside the system schemas, unless exempted:
 * - row-level security enabled and forced;
 * - permissive policies for SELECT, INSERT, UPDATE and DELETE (ALL counts for each), and every
 *   permissive policy comparing tenant_id with app.tenant_id in USING and, where rows are
 *   written, WITH CHECK (restrictive policies only narrow access, so they may test anything);
 * - foreign keys to another tenant table include tenant_id on both sides: PostgreSQL checks
 *   foreign keys without row-level security, so a key on `id` alone links tenants and tells
 *   whether another tenant's id exists;
 * - views over tenant tables run with the caller's rights (security_invoker), and no
 *   materialized view holds tenant rows (row-level security cannot apply to one);
 * and the application role of `dataSource` is no superuser, has no BYPASSRLS and owns nothing.
 */
export async function tenantIsolationProblems(dataSource: DataSource, options: TenantIsolationOptions = {}): Promise<string[]> {
  const exemptions = options.exemptions ?? [];
  const exempt = new Set(exemptions.map(({ table }) => qualified(table)));
  const tables = await queryRows<TenantTableRow>(
    dataSource,
    `SELECT format('%s.%s', n.nspname, c.relname) AS table, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
            coalesce(json_agg(json_build_object(
              'name', p.polname, 'command', p.polcmd, 'permissive', p.polpermissive,
              'using', pg_get_expr(p.polqual, p.polrelid), 'check', pg_get_expr(p.polwithcheck, p.polrelid)
            ) ORDER BY p.polname) FILTER (WHERE p.oid IS NOT NULL), '[]') AS policies
       FROM pg_class c ${TENANT_COLUMN_JOIN}
       LEFT JOIN pg_policy p ON p.polrelid = c.oid
      WHERE c.relkind IN ('r', 'p') AND ${APPLICATION_SCHEMA}
      GROUP BY n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity
      ORDER BY 1`,
  );
  return [
    ...exemptionProblems(exemptions, new Set(tables.map(({ table }) => table))),
    ...tables.filter(({ table }) => !exempt.has(table)).flatMap(tableProblems),
    ...(await foreignKeyProblems(dataSource, exempt)),
    ...(await viewProblems(dataSource, exempt)),
    ...(await applicationRoleProblems(applicationUrl(dataSource))),
  ];
}

function exemptionProblems(exemptions: readonly TenantTableExemption[], tenantTables: ReadonlySet<string>): string[] {
  return exemptions.flatMap(({ table, reason }) => [
    ...(reason.trim() === '' ? [`${qualified(table)}: exempted without a reason`] : []),
    ...(tenantTables.has(qualified(table)) ? [] : [`${qualified(table)}: exempted, but there is no such table with a tenant_id`]),
  ]);
}

function tableProblems({ table, enabled, forced, policies }: TenantTableRow): string[] {
  const problems: string[] = [];
  if (!enabled) problems.push(`${table}: row-level security is not enabled`);
  if (!forced) problems.push(`${table}: row-level security is not forced, so the table owner bypasses it`);
  const permissive = policies.filter((policy) => policy.permissive);
  for (const [command, keyword] of Object.entries(COMMANDS)) {
    if (!permissive.some((policy) => policy.command === command || policy.command === '*')) problems.push(`${table}: no policy for ${keyword}`);
  }
  for (const policy of permissive) {
    const label = `${table}: policy ${policy.name} (${policy.command === '*' ? 'ALL' : COMMANDS[policy.command]})`;
    if (FILTERS_ROWS.includes(policy.command) && !comparesTenant(policy.using)) problems.push(`${label} USING does not compare tenant_id with app.tenant_id`);
    if (ADMITS_ROWS.includes(policy.command) && !comparesTenant(policy.check ?? policy.using)) {
      problems.push(`${label} WITH CHECK does not compare tenant_id with app.tenant_id`);
    }
  }
  return problems;
}

/**
 * A textual test: it catches a missing or unrelated expression, not a wrong one. The expression
 * enableTenantRowLevelSecurity writes is the one the isolation tests prove.
 */
function comparesTenant(expression: string | null): boolean {
  if (expression === null || !/current_setting\('app\.tenant_id'/.test(expression)) return false;
  return /\btenant_id\b/.test(expression.replaceAll("'app.tenant_id'", ''));
}

async function foreignKeyProblems(dataSource: DataSource, exempt: ReadonlySet<string>): Promise<string[]> {
  const keys = await queryRows<{ name: string; table: string; target: string; pins_tenant: boolean }>(
    dataSource,
    `SELECT k.conname AS name, format('%s.%s', n.nspname, c.relname) AS table,
            format('%s.%s', target_namespace.nspname, target.relname) AS target,
            EXISTS (SELECT 1 FROM unnest(k.conkey, k.confkey) AS pair(source_column, target_column)
                     WHERE pair.source_column = a.attnum AND pair.target_column = target_tenant.attnum) AS pins_tenant
       FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid ${TENANT_COLUMN_JOIN}
       JOIN pg_class target ON target.oid = k.confrelid
       JOIN pg_namespace target_namespace ON target_namespace.oid = target.relnamespace
       JOIN pg_attribute target_tenant ON target_tenant.attrelid = target.oid AND target_tenant.attname = 'tenant_id' AND NOT target_tenant.attisdropped
      WHERE k.contype = 'f' AND k.conparentid = 0 AND ${APPLICATION_SCHEMA}
      ORDER BY 2, 1`,
  );
  return keys
    .filter((key) => !key.pins_tenant && !exempt.has(key.table))
    .map((key) => `${key.table}: foreign key ${key.name} to ${key.target} does not include tenant_id on both sides`);
}

async function viewProblems(dataSource: DataSource, exempt: ReadonlySet<string>): Promise<string[]> {
  const views = await queryRows<{ view: string; kind: 'v' | 'm'; options: string[] }>(
    dataSource,
    `WITH RECURSIVE reads_tenant_rows(oid) AS (
       SELECT c.oid FROM pg_class c ${TENANT_COLUMN_JOIN}
        WHERE c.relkind IN ('r', 'p') AND ${APPLICATION_SCHEMA} AND NOT format('%s.%s', n.nspname, c.relname) = ANY($1)
       UNION
       SELECT r.ev_class
         FROM reads_tenant_rows t
         JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = t.oid AND d.classid = 'pg_rewrite'::regclass
         JOIN pg_rewrite r ON r.oid = d.objid
        WHERE r.ev_class <> t.oid
     )
     SELECT format('%s.%s', n.nspname, c.relname) AS view, c.relkind AS kind, coalesce(c.reloptions, '{}') AS options
       FROM reads_tenant_rows t JOIN pg_class c ON c.oid = t.oid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('v', 'm')
      ORDER BY 1`,
    [[...exempt]],
  );
  return views.flatMap(({ view, kind, options }) => {
    if (kind === 'm') return [`${view}: materialized view over tenant rows, which row-level security cannot protect`];
    const invoker = options.some((option) => /^security_invoker=(true|on|yes|1)$/i.test(option));
    return invoker ? [] : [`${view}: view over tenant rows runs with its owner's rights; create it WITH (security_invoker = true)`];
  });
}

function qualified(table: string): string {
  return table.includes('.') ? table : `public.${table}`;
}

function applicationUrl(dataSource: DataSource): string {
  const { url } = dataSource.options as { url?: string };
  if (!url) throw new Error('tenantIsolationProblems needs the data source of the application role, opened with a URL');
  return url;
}
