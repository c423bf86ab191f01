import { randomBytes, randomUUID } from 'node:crypto';
import { APPLICATION_GROUP_ROLE } from '@veilig/platform-database';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@veilig/platform-testing';
import { SYSTEM_ACTOR_ID, TenantContext, TenantScope, tenantIsolationProblems } from '@veilig/tenancy';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SsoConnectionRepository, type SsoConnection } from './connections/sso-connection-repository.js';
import { TenantDirectory, type Tenant } from './directory/tenant-directory.js';
import { UserDirectory, type User } from './directory/user-directory.js';
import { IDENTITY_MIGRATIONS } from './migrations/index.js';
import { SecretBox } from './secret-box.js';
import { PostgresSessionStore } from './sessions/postgres-session-store.js';

const IDENTITY_TABLES = ['users', 'sessions', 'sso_connections'] as const;
const PRE_TENANT_LOOKUPS = [
  'identity_resolve_session(bytea, double precision, inet, integer)',
  'identity_revoke_session(bytea)',
  'identity_sso_connection(uuid)',
  'identity_sso_connections_due_for_metadata_refresh(timestamptz)',
];

interface Fixture {
  readonly tenant: Tenant;
  readonly user: User;
  readonly connection: SsoConnection;
}

describe('identity tables under row-level security', () => {
  let migrated: MigratedTestDatabase;
  let app: DataSource;
  let superuser: Client;
  let ownerRole: string;
  let sessions: PostgresSessionStore;
  let connections: SsoConnectionRepository;
  let a: Fixture;
  let b: Fixture;

  async function fixture(slug: string): Promise<Fixture> {
    const tenant = await new TenantDirectory(app).create({ slug, name: `Gemeente ${slug}`, authMode: 'federated' });
    const subject = randomUUID();
    const user = await new UserDirectory(app).provisionFederated(tenant.id, {
      protocol: 'saml',
      subject,
      entraObjectId: subject,
      entraTenantId: undefined,
      givenName: undefined,
      surname: undefined,
      email: `medewerker@${slug}.example.nl`,
      displayName: `Medewerker ${slug}`,
      department: undefined,
      groups: [],
      roles: [],
      deviceId: undefined,
      idpSessionId: undefined,
    });
    const connection = await connections.create({
      tenantId: tenant.id,
      name: 'entra',
      protocol: 'saml',
      settings: { idpEntityId: `https://idp.example.nl/${slug}` },
      secrets: { spSigningKeyPem: 'sealed at rest' },
      metadataUrl: `https://idp.example.nl/${slug}/metadata`,
    });
    return { tenant, user, connection };
  }

  function newSession(of: Fixture): Promise<{ token: string }> {
    return sessions.create({
      userId: of.user.id,
      tenantId: of.tenant.id,
      authMethod: 'saml',
      idpSessionId: undefined,
      clientIp: '192.0.2.10',
      userAgent: 'vitest',
    });
  }

  function inTenant<T extends Record<string, unknown>>(tenantId: string, sql: string, parameters: unknown[] = []): Promise<T[]> {
    return TenantContext.run({ tenantId, actorId: SYSTEM_ACTOR_ID }, () => new TenantScope(app).query<T>(sql, parameters));
  }

  beforeAll(async () => {
    migrated = await createMigratedTestDatabase(IDENTITY_MIGRATIONS);
    app = migrated.app;
    superuser = new Client({ connectionString: migrated.database.migrationUrl });
    await superuser.connect();
    ownerRole = `${migrated.database.appRole}_owner`;
    sessions = new PostgresSessionStore(app);
    connections = new SsoConnectionRepository(app, new SecretBox({ id: 'test', key: randomBytes(32) }));
    a = await fixture('gemeente-a');
    b = await fixture('gemeente-b');
    await Promise.all([newSession(a), newSession(b)]);
  });
  afterAll(async () => {
    if (superuser) {
      await superuser.query(`DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${ownerRole}') THEN
          REASSIGN OWNED BY ${ownerRole} TO CURRENT_USER; DROP OWNED BY ${ownerRole}; DROP ROLE ${ownerRole};
        END IF; END $$`);
      await superuser.end();
    }
    await migrated?.close();
  });

  it('[SE-6.2] makes users, sessions and SSO connections tenant-owned: row-level security enabled, forced and on the tenant', async () => {
    expect(await tenantIsolationProblems(app)).toEqual([]);
  });

  it('[SE-6.2] without a tenant context, the application sees no users, sessions or SSO connections and writes none', async () => {
    for (const table of IDENTITY_TABLES) {
      expect(await app.query(`SELECT count(*)::int AS count FROM ${table}`), table).toEqual([{ count: 0 }]);
      expect(await app.query(`UPDATE ${table} SET tenant_id = tenant_id RETURNING tenant_id`), table).toEqual([[], 0]);
      expect(await app.query(`DELETE FROM ${table} RETURNING tenant_id`), table).toEqual([[], 0]);
    }
    await expect(
      app.query(`INSERT INTO users (tenant_id, idp_subject) VALUES ($1, 'intruder')`, [a.tenant.id]),
    ).rejects.toThrow(/row-level security/);
    await expect(
      app.query(`INSERT INTO sso_connections (tenant_id, name, protocol, settings) VALUES ($1, 'intruder', 'saml', '{}')`, [a.tenant.id]),
    ).rejects.toThrow(/row-level security/);
    await expect(
      app.query(
        `INSERT INTO sessions (token_hash, user_id, tenant_id, auth_method, expires_at) VALUES ($1, $2, $3, 'saml', now() + interval '1 hour')`,
        [randomBytes(32), a.user.id, a.tenant.id],
      ),
    ).rejects.toThrow(/row-level security/);
    const { rows } = await superuser.query<{ count: number }>('SELECT count(*)::int AS count FROM users');
    expect(rows).toEqual([{ count: 2 }]);
  });

  it("[SE-6.2] in one tenant's context, reads none of another tenant's users, sessions or SSO connections and writes none there", async () => {
    for (const table of IDENTITY_TABLES) {
      const seen = await inTenant<{ tenant_id: string }>(a.tenant.id, `SELECT DISTINCT tenant_id FROM ${table}`);
      expect(seen, table).toEqual([{ tenant_id: a.tenant.id }]);
      expect(await inTenant(a.tenant.id, `UPDATE ${table} SET tenant_id = tenant_id WHERE tenant_id = $1 RETURNING tenant_id`, [b.tenant.id]), table).toEqual([]);
    }
    await expect(inTenant(a.tenant.id, `INSERT INTO users (tenant_id, idp_subject) VALUES ($1, 'planted')`, [b.tenant.id])).rejects.toThrow(
      /row-level security/,
    );
    await expect(inTenant(a.tenant.id, 'UPDATE users SET tenant_id = $1 WHERE id = $2', [b.tenant.id, a.user.id])).rejects.toThrow(/row-level security/);
    expect(await new UserDirectory(app).findById(a.tenant.id, b.user.id)).toBeUndefined();
    expect((await new UserDirectory(app).listForTenant(a.tenant.id)).map((user) => user.id)).toEqual([a.user.id]);
  });

  it('[SE-6.2] the pre-tenant lookups return the one row their key names, and nothing for any other key', async () => {
    const { token } = await newSession(a);
    const resolved = await sessions.resolve(token, '192.0.2.10');
    expect(resolved).toMatchObject({ tenantId: a.tenant.id, userId: a.user.id, user: { email: a.user.email } });
    expect(await sessions.resolve(randomBytes(32).toString('base64url'), '192.0.2.10')).toBeUndefined();

    expect(await connections.findById(a.connection.id)).toEqual(a.connection);
    expect(await connections.findById(randomUUID())).toBeUndefined();
    const due = await connections.listDueForMetadataRefresh(new Date());
    expect(due.map((connection) => connection.id).sort()).toEqual([a.connection.id, b.connection.id].sort());
    expect(await connections.secretsOf(b.connection)).toEqual({ spSigningKeyPem: 'sealed at rest' });

    expect(await sessions.revoke(randomBytes(32).toString('base64url'))).toBeUndefined();
    expect(await sessions.revoke(token)).toMatchObject({ id: resolved?.id, tenantId: a.tenant.id });
    expect(await sessions.revoke(token)).toBeUndefined();
    expect(await sessions.resolve(token, '192.0.2.10')).toBeUndefined();
  });

  it('[SE-4.1] runs the pre-tenant lookups as their owner with a fixed search_path, executable by the application group only', async () => {
    for (const signature of PRE_TENANT_LOOKUPS) {
      const { rows } = await superuser.query<{ definer: boolean; config: string[]; everyone: boolean; application: boolean; secrets: boolean }>(
        `SELECT p.prosecdef AS definer, p.proconfig AS config,
                has_function_privilege('public', p.oid, 'EXECUTE') AS everyone,
                has_function_privilege($2, p.oid, 'EXECUTE') AS application,
                'secrets_sealed' = ANY(coalesce(p.proargnames, '{}')) AS secrets
           FROM pg_proc p WHERE p.oid = to_regprocedure($1)`,
        [signature, APPLICATION_GROUP_ROLE],
      );
      expect(rows, signature).toEqual([{ definer: true, config: ['search_path=pg_catalog, public'], everyone: false, application: true, secrets: false }]);
    }
  });

  it('[SE-6.2] [SE-4.1] still finds sessions and connections when the migration role is no superuser and row-level security binds it too', async () => {
    await superuser.query(`CREATE ROLE ${ownerRole} NOLOGIN NOSUPERUSER NOBYPASSRLS`);
    await superuser.query(`GRANT USAGE ON SCHEMA public TO ${ownerRole}`);
    for (const table of ['tenants', ...IDENTITY_TABLES]) await superuser.query(`ALTER TABLE ${table} OWNER TO ${ownerRole}`);
    for (const fn of [...PRE_TENANT_LOOKUPS, 'tenants_mode_change_allowed()', 'users_match_tenant_mode()']) {
      await superuser.query(`ALTER FUNCTION ${fn} OWNER TO ${ownerRole}`);
    }

    const { token } = await newSession(b);
    expect(await sessions.resolve(token, '192.0.2.10')).toMatchObject({ tenantId: b.tenant.id, userId: b.user.id });
    expect(await connections.findById(b.connection.id)).toEqual(b.connection);
    expect((await connections.listDueForMetadataRefresh(new Date())).map((connection) => connection.id)).toContain(b.connection.id);
    expect(await sessions.revoke(token)).toMatchObject({ tenantId: b.tenant.id });
    // The owner's admission is for its own functions: the application itself still sees nothing.
    for (const table of IDENTITY_TABLES) expect(await app.query(`SELECT count(*)::int AS count FROM ${table}`), table).toEqual([{ count: 0 }]);
    // The mode-switch check sees the tenant's users although the switch comes without a tenant context.
    await expect(new TenantDirectory(app).setAuthMode(b.tenant.id, 'local-2fa')).rejects.toThrow(/still has users/);
  });
});
