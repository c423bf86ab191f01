import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL superuser URL from test/support/global-setup.ts; every test file makes its own database on it. */
    adminDatabaseUrl: string;
  }
}

export interface TestDatabase {
  /** Superuser on a database of its own: stands in for the migration role. */
  readonly migrationUrl: string;
  /** Unique per test database, since roles are cluster-wide and test files run in parallel. */
  readonly appRole: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('adminDatabaseUrl');
  const suffix = randomBytes(6).toString('hex');
  const name = `veilig_test_${suffix}`;
  const appRole = `veilig_app_${suffix}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const migrationUrl = new URL(adminUrl);
  migrationUrl.pathname = `/${name}`;
  return {
    migrationUrl: migrationUrl.toString(),
    appRole,
    drop: () =>
      withAdmin(adminUrl, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.query(`DROP ROLE IF EXISTS ${appRole}`);
      }),
  };
}

async function withAdmin<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
