import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Logger } from 'pino';
import { DataSource, type MigrationInterface } from 'typeorm';
import { readOrCreateSecret } from './embedded-postgres.js';
import { PLATFORM_MIGRATIONS } from './migrations/index.js';
import { APPLICATION_GROUP_ROLE } from './roles.js';

export interface PrepareDatabaseOptions {
  /** Connection of the migration role, which owns the schema. */
  readonly migrationUrl: string;
  /** Connection of the application role; unset: provision `appRole` (outside production only). */
  readonly appUrl: string | undefined;
  readonly appRole: string;
  /** Where the provisioned role's password is kept between runs. */
  readonly dataDir: string;
  /** Feature migrations, run after the platform's own. */
  readonly migrations?: ReadonlyArray<new () => MigrationInterface>;
  readonly logger: Logger;
}

export class DatabaseRoleError extends Error {
  override readonly name = 'DatabaseRoleError';
}

const MIGRATION_LOCK_KEY = 'veilig:migrations';

/**
 * Runs migrations as the migration role (one replica at a time), makes sure the application
 * role exists outside production, and refuses an application role that could escape row-level
 * security. Returns the URL the application connects with.
 */
export async function prepareDatabase(options: PrepareDatabaseOptions): Promise<string> {
  // Replicas starting together take turns: concurrent migrations, and concurrent ALTER ROLE of the
  // same application role ("tuple concurrently updated"), would otherwise collide.
  const lock = new Client({ connectionString: options.migrationUrl });
  await lock.connect();
  let appUrl: string;
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK_KEY]);
    await runMigrations(options);
    appUrl = options.appUrl ?? (await provisionApplicationRole(options));
  } finally {
    await lock.end();
  }
  const problems = await applicationRoleProblems(appUrl);
  if (problems.length > 0) {
    throw new DatabaseRoleError(`The application database role is not least-privileged:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return appUrl;
}

async function runMigrations(options: PrepareDatabaseOptions): Promise<void> {
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.migrationUrl,
    migrations: [...PLATFORM_MIGRATIONS, ...(options.migrations ?? [])],
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    logging: false,
  });
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations();
    if (applied.length > 0) options.logger.info({ migrations: applied.map((m) => m.name) }, 'database migrations applied');
  } finally {
    await dataSource.destroy();
  }
}

async function provisionApplicationRole(options: PrepareDatabaseOptions): Promise<string> {
  const role = options.appRole;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new DatabaseRoleError(`"${role}" is not a valid role name`);
  mkdirSync(options.dataDir, { recursive: true });
  const password = readOrCreateSecret(join(options.dataDir, `${role}-password`));
  const client = new Client({ connectionString: options.migrationUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ database: string }>('SELECT current_database() AS database');
    const database = rows[0]!.database;
    // DDL takes no bind parameters; the role name is checked above and the password is base64url.
    await client.query(`
      DO $$ BEGIN
        CREATE ROLE ${role} LOGIN;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    await client.query(`ALTER ROLE ${role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '${password}'`);
    await client.query(`GRANT ${APPLICATION_GROUP_ROLE} TO ${role}`);
    await client.query(`GRANT CONNECT ON DATABASE "${database.replace(/"/g, '""')}" TO ${role}`);
  } finally {
    await client.end();
  }
  const url = new URL(options.migrationUrl);
  url.username = role;
  url.password = password;
  return url.toString();
}

/** What would let the application role get around row-level security, checked on its own connection. */
export async function applicationRoleProblems(appUrl: string): Promise<string[]> {
  const client = new Client({ connectionString: appUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{
      role: string;
      rolsuper: boolean;
      rolbypassrls: boolean;
      owns_database: boolean;
      owned_tables: string;
    }>(`
      SELECT r.rolname AS role, r.rolsuper, r.rolbypassrls,
             pg_has_role(current_user, d.datdba, 'MEMBER') AS owns_database,
             (SELECT count(*) FROM pg_class c
               WHERE c.relkind IN ('r', 'p', 'v', 'm')
                 AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
                 AND pg_has_role(current_user, c.relowner, 'MEMBER')) AS owned_tables
        FROM pg_roles r, pg_database d
       WHERE r.rolname = current_user AND d.datname = current_database()`);
    const row = rows[0]!;
    const problems: string[] = [];
    if (row.rolsuper) problems.push(`role ${row.role} is a superuser`);
    if (row.rolbypassrls) problems.push(`role ${row.role} has BYPASSRLS`);
    if (row.owns_database) problems.push(`role ${row.role} owns (or can act as the owner of) the database`);
    if (Number(row.owned_tables) > 0) problems.push(`role ${row.role} owns (or can act as the owner of) ${row.owned_tables} table(s)`);
    return problems;
  } finally {
    await client.end();
  }
}
