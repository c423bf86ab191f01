import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface ScratchDatabase {
  /** Superuser on a database of its own: stands in for the migration role. */
  readonly migrationUrl: string;
  readonly name: string;
  /** Unique per database, since roles are cluster-wide and tests and benchmarks run side by side. */
  readonly appRole: string;
  drop(): Promise<void>;
}

/** A throw-away database and application role name on the server a superuser URL names. */
export async function createScratchDatabase(adminUrl: string, prefix: string): Promise<ScratchDatabase> {
  const suffix = randomBytes(6).toString('hex');
  const name = `${prefix}_${suffix}`;
  const appRole = `${prefix}_app_${suffix}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const migrationUrl = new URL(adminUrl);
  migrationUrl.pathname = `/${name}`;
  return {
    migrationUrl: migrationUrl.toString(),
    name,
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
