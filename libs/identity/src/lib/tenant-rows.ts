import { SYSTEM_ACTOR_ID, TenantContext, TenantScope } from '@veilig/tenancy';
import type { QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * One statement on the identity tables (users, sessions, sso_connections) as a transaction of
 * `tenantId`, so row-level security admits that tenant's rows and no other's: one round trip
 * (TenantScope.query). The identity stores are called with the tenant in hand, from the session
 * or from a connection found before, often outside any tenant context (sign-in, the metadata
 * refresher, the CLI); a context already open for the same tenant keeps its actor, any other
 * work runs as the system.
 *
 * The identity tables stay in the shared database in dedicated mode too, so this scope is built
 * on that database's data source, never on the application's tenant router.
 */
export class IdentityTenantRows {
  private readonly scope: TenantScope;

  constructor(dataSource: DataSource) {
    this.scope = new TenantScope(dataSource);
  }

  query<T extends QueryResultRow>(tenantId: string, sql: string, parameters: readonly unknown[] = []): Promise<T[]> {
    const open = TenantContext.optional();
    const actorId = open?.tenantId === tenantId.toLowerCase() ? open.actorId : SYSTEM_ACTOR_ID;
    return TenantContext.run({ tenantId, actorId }, () => this.scope.query<T>(sql, parameters));
  }
}
