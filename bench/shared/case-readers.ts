import { randomUUID } from 'node:crypto';
import { createAccessAdministration } from '@veilig/access';
import { AuditWriter } from '@veilig/audit';
import { PostgresSessionStore, SESSION_COOKIE, TenantDirectory, UserDirectory } from '@veilig/identity';
import { TenantScope } from '@veilig/tenancy';
import type { DataSource } from 'typeorm';
import { APPLICATION_PERMISSIONS } from '../../apps/api/src/application-parts.js';

/** A tenant of the example cases module with one signed-in user who may read all of its cases. */
export interface CaseReader {
  readonly tenantId: string;
  readonly userId: string;
  /** The `cookie` header of the user's session. */
  readonly cookie: string;
  /** Every case of the tenant carries it: a page can be checked for another tenant's rows, which the summary would not show otherwise. */
  readonly category: string;
}

/** A custom role, as a tenant admin would make one for a coordinator: no built-in role grants cases:read-all. */
const READER_ROLE = 'bench-reader';
const OPERATOR = { kind: 'operator', operator: 'bench' } as const;

/**
 * `count` tenants, each with one user holding a custom role with cases:read-all and a real
 * session, made as test/support/tenant-people.ts makes them: provisioned as a federated sign-in
 * would, the role created and granted through the operator's path (audited), the session through
 * PostgresSessionStore (the kit's default store). `owner` is the migration role's data source.
 */
export async function signInCaseReaders(owner: DataSource, count: number): Promise<CaseReader[]> {
  const scope = new TenantScope(owner);
  const people = new UserDirectory(owner);
  const administration = createAccessAdministration({ scope, audit: new AuditWriter(scope), people, permissions: APPLICATION_PERMISSIONS });
  const tenants = new TenantDirectory(owner);
  const sessions = new PostgresSessionStore(owner);
  const run = randomUUID().slice(0, 8);
  const readers: CaseReader[] = [];
  for (let index = 0; index < count; index++) {
    const tenant = await tenants.create({ slug: `bench-${run}-${index}`, name: `Gemeente Bench ${index}`, authMode: 'federated' });
    const subject = randomUUID();
    const user = await people.provisionFederated(tenant.id, {
      protocol: 'oidc',
      subject,
      entraObjectId: subject,
      entraTenantId: undefined,
      givenName: 'Coördinator',
      surname: String(index),
      email: `coordinator-${index}@gemeente-bench.example`,
      displayName: undefined,
      department: 'Publiekszaken',
      groups: [],
      roles: [],
      deviceId: undefined,
      idpSessionId: undefined,
    });
    await administration.createRole(OPERATOR, tenant.id, { name: READER_ROLE, description: 'Reads every case (benchmark).', permissions: ['cases:read-all'] });
    await administration.grant(OPERATOR, tenant.id, user.id, READER_ROLE);
    const { token } = await sessions.create({
      userId: user.id,
      tenantId: tenant.id,
      authMethod: 'oidc',
      idpSessionId: undefined,
      clientIp: '127.0.0.1',
      userAgent: 'veilig-bench',
    });
    readers.push({ tenantId: tenant.id, userId: user.id, cookie: `__Host-${SESSION_COOKIE}=${token}`, category: `bench-${index}` });
  }
  return readers;
}

/**
 * `perTenant` cases for every reader's tenant, written in one statement as the table owner (a
 * superuser, to whom row-level security does not apply), interleaved by tenant and each with a
 * creation time of its own. The table's indexes, the migration's own, are dropped first and
 * made again afterwards from their stored definitions, which takes half the time of
 * maintaining them row by row; then the table is vacuumed and analysed, so the planner and the
 * visibility map are as a settled production table's.
 */
export async function populateCases(owner: DataSource, readers: readonly CaseReader[], perTenant: number): Promise<void> {
  const constraints = await owner.query<Array<{ name: string; definition: string }>>(
    "SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conrelid = 'cases'::regclass AND contype IN ('p', 'u')",
  );
  const indexes = await owner.query<Array<{ name: string; definition: string }>>(
    "SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS definition FROM pg_index i WHERE indrelid = 'cases'::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
  );
  for (const { name } of constraints) await owner.query(`ALTER TABLE cases DROP CONSTRAINT ${name}`);
  for (const { name } of indexes) await owner.query(`DROP INDEX ${name}`);
  await owner.query(
    `INSERT INTO cases (tenant_id, category, created_by, title, status, team, citizen_name, citizen_bsn, citizen_address, description, created_at, updated_at)
     SELECT ($1::uuid[])[1 + n % $4], ($2::text[])[1 + n % $4], ($3::uuid[])[1 + n % $4],
            'Melding openbare ruimte ' || n, 'open', 'Publiekszaken', 'Burger ' || n, '123456782', 'Stationsstraat ' || (n % 500) || ', Utrecht',
            'Losliggende stoeptegel voor nummer ' || (n % 500) || '.',
            t, t
       FROM generate_series(0, $5::int - 1) n, LATERAL (SELECT timestamptz '2026-01-01 00:00:00Z' + n * interval '1 second' AS t) created`,
    [readers.map((reader) => reader.tenantId), readers.map((reader) => reader.category), readers.map((reader) => reader.userId), readers.length, readers.length * perTenant],
  );
  for (const { name, definition } of constraints) await owner.query(`ALTER TABLE cases ADD CONSTRAINT ${name} ${definition}`);
  for (const { definition } of indexes) await owner.query(definition);
  await owner.query('VACUUM ANALYZE cases');
}
