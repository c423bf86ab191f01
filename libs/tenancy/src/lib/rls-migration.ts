import type { QueryRunner } from 'typeorm';

/**
 * The tenant the current transaction runs for, as SQL. NULLIF because a custom setting that was
 * once set transaction-locally on a pooled connection reads as '' (not NULL) after that
 * transaction, and ''::uuid would raise an error where "no tenant" must mean "no rows".
 */
const CURRENT_TENANT_SQL = "NULLIF(current_setting('app.tenant_id', true), '')::uuid";

const TENANT_ROW = `tenant_id = ${CURRENT_TENANT_SQL}`;
const TABLE_NAME = /^(?:([a-z_][a-z0-9_]*)\.)?([a-z_][a-z0-9_]*)$/;
/** PostgreSQL truncates identifiers longer than this, which would make policy names collide. */
const MAX_IDENTIFIER_LENGTH = 63;
const LONGEST_POLICY_SUFFIX = '_tenant_select'.length;

export class TenantTableError extends Error {
  override readonly name = 'TenantTableError';
}

export interface TenantRowLevelSecurityOptions {
  /**
   * Also admit the table's owner, i.e. SECURITY DEFINER functions of the migration role: for the
   * few tables a query must read before the tenant is known (a session by its token). FORCE binds
   * the owner as well, and in production it is neither superuser nor BYPASSRLS, so without this
   * such a function would see no rows. The application role can never be the owner (the kit
   * checks that at every start), so the functions are the only way through. The owner is read
   * from the catalog when the policy runs, not written into it, so handing the table to another
   * owner (ALTER TABLE … OWNER TO, REASSIGN OWNED) moves the admission with it.
   */
  readonly admitTableOwner?: boolean;
}

/**
 * Makes `table` tenant-owned in one statement batch, so it is never half done: its `tenant_id`
 * (uuid) becomes NOT NULL and defaults to the transaction's tenant, row-level security is
 * enabled and forced (the owner is bound too), and one policy per command admits only rows of
 * the transaction's tenant, for reading (USING) and for writing (WITH CHECK). For a feature
 * migration's `up()`, after CREATE TABLE.
 */
export async function enableTenantRowLevelSecurity(
  queryRunner: QueryRunner,
  table: string,
  options: TenantRowLevelSecurityOptions = {},
): Promise<void> {
  const match = TABLE_NAME.exec(table);
  if (!match) throw new TenantTableError(`"${table}" is not a plain lower-case table name (optionally schema-qualified)`);
  const [, schema = 'public', name = ''] = match;
  if (name.length + LONGEST_POLICY_SUFFIX > MAX_IDENTIFIER_LENGTH) throw new TenantTableError(`table name "${name}" is too long for its policy names`);
  const rows: Array<{ type: string }> = await queryRunner.query(
    `SELECT format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_attribute a
      WHERE a.attrelid = to_regclass($1) AND a.attname = 'tenant_id' AND NOT a.attisdropped`,
    [`"${schema}"."${name}"`],
  );
  if (rows[0]?.type !== 'uuid') throw new TenantTableError(`${schema}.${name} has no tenant_id column of type uuid`);
  const qualified = `"${schema}"."${name}"`;
  const admitted = options.admitTableOwner
    ? `(${TENANT_ROW} OR current_user = (SELECT pg_catalog.pg_get_userbyid(c.relowner) FROM pg_catalog.pg_class c WHERE c.oid = '${qualified}'::regclass))`
    : TENANT_ROW;
  await queryRunner.query(`
    ALTER TABLE ${qualified} ALTER COLUMN tenant_id SET NOT NULL;
    ALTER TABLE ${qualified} ALTER COLUMN tenant_id SET DEFAULT ${CURRENT_TENANT_SQL};
    ALTER TABLE ${qualified} ENABLE ROW LEVEL SECURITY;
    ALTER TABLE ${qualified} FORCE ROW LEVEL SECURITY;
    CREATE POLICY "${name}_tenant_select" ON ${qualified} FOR SELECT USING (${admitted});
    CREATE POLICY "${name}_tenant_insert" ON ${qualified} FOR INSERT WITH CHECK (${admitted});
    CREATE POLICY "${name}_tenant_update" ON ${qualified} FOR UPDATE USING (${admitted}) WITH CHECK (${admitted});
    CREATE POLICY "${name}_tenant_delete" ON ${qualified} FOR DELETE USING (${admitted});`);
}
