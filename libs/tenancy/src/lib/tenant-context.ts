import { AsyncLocalStorage } from 'node:async_hooks';

/** Who a piece of work runs for: the tenant whose rows it may touch, and the user it acts as. */
export interface TenantIdentity {
  readonly tenantId: string;
  readonly actorId: string;
}

/** Tenant-scoped work was started without a tenant: refused rather than run unscoped. */
export class TenantContextMissingError extends Error {
  override readonly name = 'TenantContextMissingError';
  constructor() {
    super('No tenant context: tenant-scoped work runs only inside TenantContext.run(), with the tenant from the session.');
  }
}

export class InvalidTenantIdentityError extends Error {
  override readonly name = 'InvalidTenantIdentityError';
}

/** Actor id used for the tenant context when the system, not a user, acts. */
export const SYSTEM_ACTOR_ID = '00000000-0000-0000-0000-000000000001';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a value has the canonical UUID text form. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

const storage = new AsyncLocalStorage<TenantIdentity>();

/**
 * The tenant of the work in progress, carried by AsyncLocalStorage so that it follows the
 * request through every await without being a parameter anyone could fill from input. It is set
 * from the session (TenantContextInterceptor) and read by TenantScope; nothing else sets it.
 */
export class TenantContext {
  /**
   * Runs `work` for one tenant and actor. Both must be UUIDs: checked here, where the identity
   * enters, rather than as a cast error in the middle of a query.
   */
  static run<T>(identity: TenantIdentity, work: () => T): T {
    for (const [field, value] of Object.entries({ tenantId: identity.tenantId, actorId: identity.actorId })) {
      if (!isUuid(value)) throw new InvalidTenantIdentityError(`${field} must be a UUID`);
    }
    const frozen: TenantIdentity = Object.freeze({ tenantId: identity.tenantId.toLowerCase(), actorId: identity.actorId.toLowerCase() });
    return storage.run(frozen, work);
  }

  /** The current tenant; fails closed when there is none. */
  static current(): TenantIdentity {
    const identity = storage.getStore();
    if (!identity) throw new TenantContextMissingError();
    return identity;
  }

  /** The current tenant, if any: for code that behaves differently before sign-in, never for data access. */
  static optional(): TenantIdentity | undefined {
    return storage.getStore();
  }
}
