import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAppDataSource, prepareDatabase } from '@veilig/platform-database';
import { createTestDatabase, type TestDatabase } from '@veilig/platform-testing';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantIsolationProblems } from './catalog.js';
import { TenantContext } from './tenant-context.js';
import { TenantDatabaseRouter } from './tenant-database-router.js';
import { TenantScope } from './tenant-transaction.js';
import { ExampleTenantTables1765000000000, Note } from './testing/example-tenant-tables.js';

const SHARED_TENANT = randomUUID();
const DEDICATED_TENANT = randomUUID();
const ACTOR = randomUUID();

interface Deployment {
  readonly database: TestDatabase;
  readonly appUrl: string;
}

describe('dedicated tenant databases', () => {
  let dataDir: string;
  let shared: Deployment;
  let dedicated: Deployment;
  let sharedApp: DataSource;
  let router: TenantDatabaseRouter;
  let scope: TenantScope;

  /** A database migrated and provisioned exactly as the shared one is. */
  async function deploy(): Promise<Deployment> {
    const database = await createTestDatabase();
    const appUrl = await prepareDatabase({
      migrationUrl: database.migrationUrl,
      appUrl: undefined,
      appRole: database.appRole,
      dataDir,
      migrations: [ExampleTenantTables1765000000000],
      logger: pino({ level: 'silent' }),
    });
    return { database, appUrl };
  }

  /** Every row, as the migration role (a superuser here, so row-level security does not apply). */
  async function allRows(deployment: Deployment): Promise<Array<{ tenant_id: string; title: string }>> {
    const owner = await openAppDataSource({ url: deployment.database.migrationUrl });
    try {
      return await owner.query('SELECT tenant_id, title FROM notes ORDER BY title');
    } finally {
      await owner.destroy();
    }
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'veilig-dedicated-'));
    [shared, dedicated] = await Promise.all([deploy(), deploy()]);
    sharedApp = await openAppDataSource({ url: shared.appUrl, entities: [Note] });
    router = new TenantDatabaseRouter(sharedApp, { [DEDICATED_TENANT]: dedicated.appUrl });
    scope = new TenantScope(router);
  });
  afterAll(async () => {
    await router?.close();
    await sharedApp?.destroy();
    await Promise.all([shared?.database.drop(), dedicated?.database.drop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('[SE-6.2] keeps a dedicated tenant\'s rows in its own database, and none of them in the shared one', async () => {
    for (const tenantId of [SHARED_TENANT, DEDICATED_TENANT]) {
      await TenantContext.run({ tenantId, actorId: ACTOR }, () =>
        scope.run(async (manager) => {
          await manager.getRepository(Note).save([{ title: `${tenantId} one` }, { title: `${tenantId} two` }]);
        }),
      );
    }
    const read = (tenantId: string) =>
      TenantContext.run({ tenantId, actorId: ACTOR }, () => scope.run((manager) => manager.getRepository(Note).find({ order: { title: 'ASC' } })));
    expect((await read(DEDICATED_TENANT)).map((note) => note.title)).toEqual([`${DEDICATED_TENANT} one`, `${DEDICATED_TENANT} two`]);
    expect((await read(SHARED_TENANT)).map((note) => note.title)).toEqual([`${SHARED_TENANT} one`, `${SHARED_TENANT} two`]);

    expect(new Set((await allRows(shared)).map((row) => row.tenant_id))).toEqual(new Set([SHARED_TENANT]));
    expect(new Set((await allRows(dedicated)).map((row) => row.tenant_id))).toEqual(new Set([DEDICATED_TENANT]));
  });

  it('[SE-6.2] holds a dedicated database to the same isolation rules as the shared one', async () => {
    const dedicatedApp = await router.dataSourceFor(DEDICATED_TENANT);
    expect(dedicatedApp).not.toBe(sharedApp);
    expect(await router.dataSourceFor(DEDICATED_TENANT.toUpperCase())).toBe(dedicatedApp);
    expect(await tenantIsolationProblems(dedicatedApp)).toEqual([]);
    expect(await dedicatedApp.query('SELECT count(*)::int AS count FROM notes')).toEqual([{ count: 0 }]);
  });
});
