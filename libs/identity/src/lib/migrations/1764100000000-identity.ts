import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenants, users, sessions and SSO connections. The rule "a federated tenant has no password"
 * (SE-7.2) is enforced here, in the database, so no code path, script or admin API can add a
 * password login to a federated tenant, nor switch a tenant with password users to federated
 * without removing them first.
 */
export class Identity1764100000000 implements MigrationInterface {
  readonly name = 'Identity1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE tenants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        auth_mode text NOT NULL CHECK (auth_mode IN ('federated', 'local-2fa')),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'terminated')),
        email_domains text[] NOT NULL DEFAULT '{}',
        ip_allow_list cidr[],
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        idp_subject text,
        email text,
        given_name text,
        surname text,
        display_name text,
        department text,
        password_hash text,
        totp_secret_sealed text,
        totp_confirmed_at timestamptz,
        totp_last_step bigint,
        recovery_code_hashes text[] NOT NULL DEFAULT '{}',
        last_login_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_federated_or_local CHECK ((idp_subject IS NULL) <> (password_hash IS NULL)),
        UNIQUE (tenant_id, idp_subject)
      )`);
    await queryRunner.query('CREATE UNIQUE INDEX users_local_email ON users (tenant_id, lower(email)) WHERE password_hash IS NOT NULL');
    await queryRunner.query(`
      CREATE FUNCTION users_match_tenant_mode() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE mode text;
      BEGIN
        SELECT auth_mode INTO mode FROM tenants WHERE id = NEW.tenant_id;
        IF mode = 'federated' AND NEW.password_hash IS NOT NULL THEN
          RAISE EXCEPTION 'tenant % is federated: a password login cannot exist there (SE-7.2)', NEW.tenant_id
            USING ERRCODE = 'check_violation';
        END IF;
        IF mode = 'local-2fa' AND NEW.idp_subject IS NOT NULL THEN
          RAISE EXCEPTION 'tenant % signs in locally: a federated user cannot exist there', NEW.tenant_id
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER users_match_tenant_mode BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_match_tenant_mode()',
    );
    await queryRunner.query(`
      CREATE FUNCTION tenants_mode_change_allowed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.auth_mode IS DISTINCT FROM OLD.auth_mode AND EXISTS (SELECT 1 FROM users WHERE tenant_id = NEW.id) THEN
          RAISE EXCEPTION 'tenant % still has users of its current sign-in mode; remove them before switching', NEW.id
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER tenants_mode_change_allowed BEFORE UPDATE OF auth_mode ON tenants FOR EACH ROW EXECUTE FUNCTION tenants_mode_change_allowed()',
    );
    await queryRunner.query(`
      CREATE TABLE sessions (
        token_hash bytea PRIMARY KEY,
        id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        auth_method text NOT NULL CHECK (auth_method IN ('saml', 'oidc', 'password+totp', 'password+recovery-code')),
        idp_session_id text,
        client_ip inet,
        user_agent text,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
    await queryRunner.query('CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL');
    await queryRunner.query(`
      CREATE TABLE sso_connections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        name text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
        protocol text NOT NULL CHECK (protocol IN ('saml', 'oidc')),
        settings jsonb NOT NULL,
        secrets_sealed text,
        metadata_url text,
        metadata_refreshed_at timestamptz,
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, name)
      )`);
    await queryRunner.query(`
      CREATE TABLE pending_logins (
        id text PRIMARY KEY,
        connection_id uuid NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
        sealed_state text,
        expires_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE seen_assertions (
        connection_id uuid NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
        assertion_id text NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (connection_id, assertion_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['seen_assertions', 'pending_logins', 'sso_connections', 'sessions', 'users', 'tenants']) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
    await queryRunner.query('DROP FUNCTION users_match_tenant_mode');
    await queryRunner.query('DROP FUNCTION tenants_mode_change_allowed');
  }
}
