import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openAppDataSource } from '@veilig/platform-database';
import { tenantIsolationProblems, type TenantTableExemption } from '@veilig/tenancy';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/test-api.js';

/**
 * Identity tables read before a tenant is known: a session by its token, an SSO connection by the
 * id in the IdP's callback URL, a user while signing in. Their stores scope every query by tenant
 * themselves; moving them under row-level security (with lookups through SECURITY DEFINER
 * functions) is open work, listed in docs/tenancy.md.
 */
const PRE_TENANT_LOOKUPS: readonly TenantTableExemption[] = [
  { table: 'public.sessions', reason: 'looked up by token hash before the tenant is known' },
  { table: 'public.sso_connections', reason: 'looked up by id at the SSO endpoints before the tenant is known' },
  { table: 'public.users', reason: 'found and provisioned during sign-in, before a session exists' },
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

  it('[SE-6.2] [SE-4.1] finds no tenant table without forced row-level security and policies, beyond the documented pre-tenant lookups', async () => {
    const problems = await tenantIsolationProblems(app, { exemptions: PRE_TENANT_LOOKUPS });
    expect(problems).toEqual([]);
  });
});
