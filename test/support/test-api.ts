import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig, type AppConfig } from '@veilig/platform-config';
import { startApi, type RunningApi, type StartApiOptions } from '../../apps/api/src/start-api.js';
import { createTestDatabase, type TestDatabase } from '@veilig/platform-testing';
import type { AuditEvent } from '@veilig/audit';
import pg from 'pg';

export interface TestApi {
  readonly api: RunningApi;
  readonly config: AppConfig;
  readonly database: TestDatabase;
  readonly dataDir: string;
  /** Every JSON log line the service wrote. */
  readonly logs: Array<Record<string, unknown>>;
  /** Every audit event stored so far, of all tenants, oldest first (read as the database owner). */
  auditEvents(): Promise<AuditEvent[]>;
  /** PEM of the certificate served (the development one unless the test configured its own). */
  servedCertificatePem(): string;
  port(): number;
  redirectPort(): number;
  close(): Promise<void>;
}

/** The real service on ephemeral ports, with its own database and a log sink the test can read. */
export async function startTestApi(
  env: Record<string, string> = {},
  options: Pick<StartApiOptions, 'modules'> = {},
): Promise<TestApi> {
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'veilig-test-'));
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      done();
    },
  });
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    HTTPS_PORT: '0',
    HTTP_PORT: '0',
    PUBLIC_ORIGIN: 'https://localhost:3443',
    DATA_DIR: dataDir,
    DATABASE_URL: database.migrationUrl,
    DATABASE_APP_ROLE: database.appRole,
    LOG_LEVEL: 'info',
    ...env,
  });
  let api: RunningApi;
  try {
    api = await startApi(config, { ...options, logDestination: sink });
  } catch (error) {
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    api,
    config,
    database,
    dataDir,
    logs,
    auditEvents: async () => {
      const client = new pg.Client({ connectionString: database.migrationUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ event: AuditEvent }>('SELECT event FROM audit_events ORDER BY occurred_at, tenant_id, sequence');
        return rows.map((row) => row.event);
      } finally {
        await client.end();
      }
    },
    servedCertificatePem: () => readFileSync(config.tls.certFile ?? join(dataDir, 'tls', 'development-cert.pem'), 'utf8'),
    port: () => Number(new URL(api.url).port),
    redirectPort: () => Number(new URL(api.redirectUrl ?? 'http://x:0').port),
    close: async () => {
      await api.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
