import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '@veilig/platform-database';
import { freePort } from '@veilig/platform-testing';

/**
 * One PostgreSQL server for the whole run: the machine's own when TEST_DATABASE_URL is set,
 * otherwise an embedded one in a throw-away folder, so the suite also passes where none runs.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const configured = process.env['TEST_DATABASE_URL'];
  if (configured) {
    project.provide('adminDatabaseUrl', configured);
    return async () => undefined;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'veilig-test-pg-'));
  const embedded = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    logger: pino({ level: 'silent' }),
    persistent: false,
  });
  project.provide('adminDatabaseUrl', embedded.url);
  return async () => {
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
