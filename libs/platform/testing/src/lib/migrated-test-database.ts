import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAppDataSource, prepareDatabase, type PrepareDatabaseOptions } from '@veilig/platform-database';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface MigratedTestDatabase {
  readonly database: TestDatabase;
  /** Connected as the application role, with exactly the grants production gives it. */
  readonly app: DataSource;
  close(): Promise<void>;
}

/** A test file's own database, migrated as the owner role and opened as the application role. */
export async function createMigratedTestDatabase(migrations: PrepareDatabaseOptions['migrations'] = []): Promise<MigratedTestDatabase> {
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'veilig-test-db-'));
  const appUrl = await prepareDatabase({
    migrationUrl: database.migrationUrl,
    appUrl: undefined,
    appRole: database.appRole,
    dataDir,
    migrations,
    logger: pino({ level: 'silent' }),
  });
  const app = await openAppDataSource({ url: appUrl });
  return {
    database,
    app,
    close: async () => {
      await app.destroy();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
