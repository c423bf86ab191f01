import { openAppDataSource } from '@veilig/platform-database';
import type { DataSource } from 'typeorm';
import { isUuid } from './tenant-context.js';
import type { TenantDataSources } from './tenant-transaction.js';

/** Dedicated mode (SE-6.2): tenant id → URL of the database that holds that tenant's rows. */
export type DedicatedDatabases = Readonly<Record<string, string>>;

export class DedicatedDatabaseConfigError extends Error {
  override readonly name = 'DedicatedDatabaseConfigError';
}

/**
 * Picks the database of a tenant: its own when configured, otherwise the shared one. A dedicated
 * database is opened on first use and then pooled; tenants that name the same URL share a pool.
 * The shared data source belongs to the caller; `close()` ends only the pools opened here.
 */
export class TenantDatabaseRouter implements TenantDataSources {
  private readonly targets: ReadonlyMap<string, string>;
  private readonly pools = new Map<string, Promise<DataSource>>();

  /**
   * @param open how a dedicated database is opened; by default as the shared one is, with the
   *   same entities: the URL must name that database's application role, never its owner.
   */
  constructor(
    private readonly shared: DataSource,
    dedicated: DedicatedDatabases,
    private readonly open: (url: string) => Promise<DataSource> = (url) => openAppDataSource({ url, entities: shared.options.entities ?? [] }),
  ) {
    this.targets = validated(dedicated);
  }

  /** Whether any tenant has a database of its own (dedicated mode). */
  hasDedicatedTenants(): boolean {
    return this.targets.size > 0;
  }

  /** Whether the tenant has a database of its own. */
  isDedicated(tenantId: string): boolean {
    return this.targets.has(tenantId.toLowerCase());
  }

  dataSourceFor(tenantId: string): Promise<DataSource> {
    const url = this.targets.get(tenantId.toLowerCase());
    if (url === undefined) return Promise.resolve(this.shared);
    let pool = this.pools.get(url);
    if (!pool) {
      pool = this.open(url);
      this.pools.set(url, pool);
      // Forget a failed attempt so the next request tries again instead of failing forever.
      pool.catch(() => {
        if (this.pools.get(url) === pool) this.pools.delete(url);
      });
    }
    return pool;
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    const opened = await Promise.allSettled(pools);
    await Promise.all(opened.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value.destroy()] : [])));
  }
}

/** Every problem at once, naming tenants but never a URL, which may carry a password. */
function validated(dedicated: DedicatedDatabases): ReadonlyMap<string, string> {
  const problems: string[] = [];
  const targets = new Map<string, string>();
  for (const [tenantId, url] of Object.entries(dedicated)) {
    if (!isUuid(tenantId)) {
      problems.push(`"${tenantId}" is not a tenant id (a UUID)`);
      continue;
    }
    if (!isPostgresUrl(url)) problems.push(`the database of tenant ${tenantId} is not a postgres:// or postgresql:// URL`);
    if (targets.has(tenantId.toLowerCase())) problems.push(`tenant ${tenantId} is listed twice`);
    targets.set(tenantId.toLowerCase(), url);
  }
  if (problems.length > 0) throw new DedicatedDatabaseConfigError(`Dedicated tenant databases:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return targets;
}

function isPostgresUrl(value: unknown): boolean {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'postgres:' || protocol === 'postgresql:';
}
