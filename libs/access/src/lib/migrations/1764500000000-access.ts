import { enableTenantRowLevelSecurity } from '@veilig/tenancy';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Custom roles, role assignments and the mapping of IdP claims to roles: tenant-owned, under
 * forced row-level security. Built-in roles are defined in code, so their names are reserved
 * here. Every change raises the tenant's access_version (see the identity migration that adds it)
 * so permission caches on every replica notice it; the trigger runs as the table owner because
 * the application role has no business writing the tenants table.
 */
export class Access1764500000000 implements MigrationInterface {
  readonly name = 'Access1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Composite keys so a row can only ever point at a user or connection of its own tenant.
    await queryRunner.query('ALTER TABLE users ADD CONSTRAINT users_tenant_id_id UNIQUE (tenant_id, id)');
    await queryRunner.query('ALTER TABLE sso_connections ADD CONSTRAINT sso_connections_tenant_id_id UNIQUE (tenant_id, id)');
    await queryRunner.query(`
      CREATE TABLE roles (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        name text NOT NULL CHECK (name ~ '^[a-z][a-z0-9-]{1,62}$' AND name NOT IN ('tenant-admin', 'auditor', 'member', 'viewer')),
        description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
        permissions text[] NOT NULL CHECK (cardinality(permissions) BETWEEN 1 AND 200),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, name)
      )`);
    await queryRunner.query(`
      CREATE TABLE role_assignments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        user_id uuid NOT NULL,
        role_name text NOT NULL,
        source text NOT NULL CHECK (source IN ('idp', 'in-app')),
        connection_id uuid,
        granted_by uuid,
        granted_at timestamptz NOT NULL DEFAULT now(),
        -- One grant per role, source and connection: two connections mapping the same role are two grants.
        CONSTRAINT role_assignments_unique UNIQUE NULLS NOT DISTINCT (tenant_id, user_id, role_name, source, connection_id),
        FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, granted_by) REFERENCES users (tenant_id, id) ON DELETE SET NULL (granted_by),
        FOREIGN KEY (tenant_id, connection_id) REFERENCES sso_connections (tenant_id, id) ON DELETE CASCADE,
        CONSTRAINT role_assignments_idp_names_connection CHECK ((source = 'idp') = (connection_id IS NOT NULL))
      )`);
    await queryRunner.query(`
      CREATE TABLE role_mappings (
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        connection_id uuid NOT NULL,
        claim text NOT NULL CHECK (claim IN ('roles', 'groups')),
        value text NOT NULL CHECK (length(value) BETWEEN 1 AND 256),
        role_name text NOT NULL,
        PRIMARY KEY (tenant_id, connection_id, claim, value, role_name),
        FOREIGN KEY (tenant_id, connection_id) REFERENCES sso_connections (tenant_id, id) ON DELETE CASCADE
      )`);
    // The claims each user last signed in with, per connection: what tells whether a mapping an
    // admin sets would grant that admin something (self-elevation through the IdP).
    await queryRunner.query(`
      CREATE TABLE idp_claims (
        tenant_id uuid NOT NULL,
        user_id uuid NOT NULL,
        connection_id uuid NOT NULL,
        roles text[] NOT NULL,
        groups text[] NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, user_id, connection_id),
        FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, connection_id) REFERENCES sso_connections (tenant_id, id) ON DELETE CASCADE
      )`);
    for (const table of ['roles', 'role_assignments', 'role_mappings', 'idp_claims']) {
      await enableTenantRowLevelSecurity(queryRunner, table);
    }
    await queryRunner.query(`
      CREATE FUNCTION raise_tenant_access_version() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      BEGIN
        UPDATE public.tenants SET access_version = access_version + 1
         WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END;
        RETURN NULL;
      END $$`);
    await queryRunner.query('REVOKE ALL ON FUNCTION raise_tenant_access_version() FROM PUBLIC');
    for (const table of ['roles', 'role_assignments', 'role_mappings']) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_raise_access_version AFTER INSERT OR UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION raise_tenant_access_version()`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['idp_claims', 'role_mappings', 'role_assignments', 'roles']) await queryRunner.query(`DROP TABLE ${table}`);
    await queryRunner.query('DROP FUNCTION raise_tenant_access_version');
    await queryRunner.query('ALTER TABLE sso_connections DROP CONSTRAINT sso_connections_tenant_id_id');
    await queryRunner.query('ALTER TABLE users DROP CONSTRAINT users_tenant_id_id');
  }
}
