import { APPLICATION_GROUP_ROLE } from '@veilig/platform-database';
import { enableTenantRowLevelSecurity } from '@veilig/tenancy';
import type { MigrationInterface, QueryRunner } from 'typeorm';

const IDENTITY_TENANT_TABLES = ['users', 'sessions', 'sso_connections'];

/** What a session lookup returns: the session's public columns, the token never among them. */
const SESSION_COLUMNS = `id uuid, user_id uuid, tenant_id uuid, auth_method text, idp_session_id text, client_ip text, user_agent text,
  device_id text, created_at timestamptz, last_seen_at timestamptz, expires_at timestamptz`;
const SESSION_VALUES =
  's.id, s.user_id, s.tenant_id, s.auth_method, s.idp_session_id, host(s.client_ip) AS client_ip, s.user_agent, s.device_id, s.created_at, s.last_seen_at, s.expires_at';

/** What a connection lookup returns: everything but the sealed secrets, which are read in the tenant's context. */
const CONNECTION_COLUMNS = 'id uuid, tenant_id uuid, name text, protocol text, settings jsonb, metadata_url text, enabled boolean';
const CONNECTION_VALUES = 'c.id, c.tenant_id, c.name, c.protocol, c.settings, c.metadata_url, c.enabled';

/**
 * The pre-tenant lookups: the only reads made before the tenant is known, each narrow and keyed
 * by what the caller holds. They run as the migration role, which the policies of the identity
 * tables admit (admitTableOwner); the application group may execute them, nobody else.
 */
const PRE_TENANT_LOOKUPS: ReadonlyArray<{ readonly signature: string; readonly definition: string }> = [
  {
    // Every request: one statement, and a write only when the recorded use is older than
    // `touch_after_seconds` (see PostgresSessionStore.resolve). PL/pgSQL rather than SQL because
    // PostgreSQL 15 plans the body of a SQL function that cannot be inlined (a SECURITY DEFINER
    // one never is) at every call, and PL/pgSQL keeps its plan for the connection: measured about
    // 500 against 200 µs per call. use_column: the result columns share the tables' column names.
    signature: 'identity_resolve_session(bytea, double precision, inet, integer)',
    definition: `
      CREATE FUNCTION identity_resolve_session(requested_token_hash bytea, idle_timeout_ms double precision, request_ip inet, touch_after_seconds integer)
      RETURNS TABLE (${SESSION_COLUMNS}, department text, access_version bigint, idp_subject text, display_name text, email text)
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      #variable_conflict use_column
      BEGIN
        RETURN QUERY
        WITH live AS (
          SELECT ${SESSION_VALUES}, s.token_hash, u.department, t.access_version, u.idp_subject, u.display_name, u.email
            FROM sessions s JOIN tenants t ON t.id = s.tenant_id JOIN users u ON u.id = s.user_id AND u.tenant_id = s.tenant_id
           WHERE s.token_hash = requested_token_hash AND t.status = 'active'
             AND s.revoked_at IS NULL AND s.expires_at > now()
             AND s.last_seen_at > now() - make_interval(secs => idle_timeout_ms / 1000)
             AND (coalesce(cardinality(t.ip_allow_list), 0) = 0 OR request_ip <<= ANY(t.ip_allow_list))
        ), touched AS (
          UPDATE sessions SET last_seen_at = now()
            FROM live
           WHERE sessions.token_hash = live.token_hash AND live.last_seen_at < now() - make_interval(secs => touch_after_seconds)
        )
        SELECT live.id, live.user_id, live.tenant_id, live.auth_method, live.idp_session_id, live.client_ip, live.user_agent, live.device_id, live.created_at,
               live.last_seen_at, live.expires_at, live.department, live.access_version, live.idp_subject, live.display_name, live.email
          FROM live;
      END
      $$`,
  },
  {
    // Logout, by the token of the cookie.
    signature: 'identity_revoke_session(bytea)',
    definition: `
      CREATE FUNCTION identity_revoke_session(requested_token_hash bytea)
      RETURNS TABLE (${SESSION_COLUMNS}, idp_logout_sealed text)
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        UPDATE sessions AS s SET revoked_at = now()
         WHERE s.token_hash = requested_token_hash AND s.revoked_at IS NULL
        RETURNING ${SESSION_VALUES}, s.idp_logout_sealed
      $$`,
  },
  {
    // The SSO endpoints, by the connection id in the IdP's callback URL.
    signature: 'identity_sso_connection(uuid)',
    definition: `
      CREATE FUNCTION identity_sso_connection(requested_id uuid)
      RETURNS TABLE (${CONNECTION_COLUMNS})
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        SELECT ${CONNECTION_VALUES} FROM sso_connections c WHERE c.id = requested_id
      $$`,
  },
  {
    // The metadata refresher's work across tenants; each refresh then runs in its connection's tenant.
    signature: 'identity_sso_connections_due_for_metadata_refresh(timestamptz)',
    definition: `
      CREATE FUNCTION identity_sso_connections_due_for_metadata_refresh(refreshed_before timestamptz)
      RETURNS TABLE (${CONNECTION_COLUMNS})
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        SELECT ${CONNECTION_VALUES} FROM sso_connections c
         WHERE c.protocol = 'saml' AND c.metadata_url IS NOT NULL AND c.enabled
           AND (c.metadata_refreshed_at IS NULL OR c.metadata_refreshed_at < refreshed_before)
         ORDER BY c.metadata_refreshed_at NULLS FIRST, c.id
      $$`,
  },
];

/**
 * Users, sessions and SSO connections under forced row-level security, like every other tenant
 * table (SE-6.2): with no tenant context the application sees none of their rows and writes none.
 * The policies also admit the tables' owner, so that the pre-tenant lookups above, SECURITY
 * DEFINER functions of the migration role, still find a session by its token and a connection by
 * its id; the application role never owns anything, so only those functions get through.
 *
 * The trigger that refuses switching the sign-in mode of a tenant with users must see those
 * users whoever switches, so it runs as the owner too; without that, its EXISTS would be false
 * under row-level security and the switch silently allowed.
 */
export class IdentityRowLevelSecurity1764600000000 implements MigrationInterface {
  readonly name = 'IdentityRowLevelSecurity1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The device a session was signed in from (Entra's device id claim), for every audit event it makes (SE-3.3).
    await queryRunner.query('ALTER TABLE sessions ADD COLUMN device_id text CHECK (length(device_id) <= 200)');
    // A session names its user by (tenant, user): PostgreSQL checks foreign keys without
    // row-level security, so a key on user_id alone could tie a session to another tenant's user.
    // The unique key on users (tenant_id, id) is the one the access migration adds for its own
    // keys, before this one in the application; with the identity migrations alone it is made here.
    await queryRunner.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'users'::regclass AND conname = 'users_tenant_id_id') THEN
          ALTER TABLE users ADD CONSTRAINT users_tenant_id_id UNIQUE (tenant_id, id);
        END IF;
      END $$`);
    await queryRunner.query(`
      ALTER TABLE sessions DROP CONSTRAINT sessions_user_id_fkey,
        ADD CONSTRAINT sessions_tenant_user FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE`);
    for (const table of IDENTITY_TENANT_TABLES) await enableTenantRowLevelSecurity(queryRunner, table, { admitTableOwner: true });
    for (const { signature, definition } of PRE_TENANT_LOOKUPS) {
      await queryRunner.query(definition);
      await queryRunner.query(`REVOKE ALL ON FUNCTION ${signature} FROM PUBLIC`);
      await queryRunner.query(`GRANT EXECUTE ON FUNCTION ${signature} TO ${APPLICATION_GROUP_ROLE}`);
    }
    await queryRunner.query('ALTER FUNCTION tenants_mode_change_allowed() SECURITY DEFINER SET search_path = pg_catalog, public');
    await queryRunner.query('REVOKE ALL ON FUNCTION tenants_mode_change_allowed() FROM PUBLIC');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('GRANT EXECUTE ON FUNCTION tenants_mode_change_allowed() TO PUBLIC');
    await queryRunner.query('ALTER FUNCTION tenants_mode_change_allowed() SECURITY INVOKER RESET search_path');
    for (const { signature } of PRE_TENANT_LOOKUPS) await queryRunner.query(`DROP FUNCTION ${signature}`);
    for (const table of IDENTITY_TENANT_TABLES) {
      for (const command of ['select', 'insert', 'update', 'delete']) await queryRunner.query(`DROP POLICY "${table}_tenant_${command}" ON ${table}`);
      await queryRunner.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY, ALTER COLUMN tenant_id DROP DEFAULT`);
    }
    // users_tenant_id_id stays: the access migration's keys may rely on it.
    await queryRunner.query(`
      ALTER TABLE sessions DROP CONSTRAINT sessions_tenant_user,
        ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE`);
    await queryRunner.query('ALTER TABLE sessions DROP COLUMN device_id');
  }
}
