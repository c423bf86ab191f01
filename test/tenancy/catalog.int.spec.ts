import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openAppDataSource } from '@veilig/platform-database';
import { tenantIsolationProblems, type TenantTableExemption } from '@veilig/tenancy';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/test-api.js';

/**
 * The one tenant table without row-level security. Users, sessions and SSO connections are under
 * it like every other tenant table; their reads before a tenant is known go through SECURITY
 * DEFINER lookups (migration IdentityRowLevelSecurity1764600000000, docs/tenancy.md).
 */
const EXEMPTIONS: readonly TenantTableExemption[] = [
  {
    table: 'public.audit_delivery_cursors',
    reason: "the audit forwarder's cross-tenant work queue (destination, tenant, sequence, timing, a short error); holds no tenant data",
  },
];

describe('tenant isolation of every table the kit migrates', () => {
  let service: TestApi;
  let app: DataSource;

  beforeAll(async () => {
    service = await startTestApi();
    // The application role exactly as the service connects: its password is where the kit provisioned it.
    const appUrl = new URL(service.database.migrationUrl);
    appUrl.username = service.database.appRole;
    appUrl.password = readFileSync(join(service.dataDir, `${service.database.appRole}-password`), 'utf8').trim();
    app = await openAppDataSource({ url: appUrl.toString() });
  });
  afterAll(async () => {
    await app?.destroy();
    await service?.close();
  });

  it("[SE-6.2] [SE-4.1] finds no tenant table without forced row-level security and policies, beyond the audit forwarder's work queue", async () => {
    const problems = await tenantIsolationProblems(app, { exemptions: EXEMPTIONS });
    expect(problems).toEqual([]);
  });
});
