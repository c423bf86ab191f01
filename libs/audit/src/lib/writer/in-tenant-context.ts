import { TenantContext } from '@veilig/tenancy';
import { AuditTenantMismatchError } from '../model/audit-errors.js';

/**
 * Runs `work` in the open tenant context when it is `tenantId`'s, or in a new one for that tenant
 * and `actorId` when none is open. An open context of another tenant is refused: an event never
 * lands in a chain other than its own tenant's.
 */
export function inTenantContext<T>(tenantId: string, actorId: string, work: () => Promise<T>): Promise<T> {
  const open = TenantContext.optional();
  if (!open) return TenantContext.run({ tenantId, actorId }, work);
  if (open.tenantId !== tenantId.toLowerCase()) throw new AuditTenantMismatchError(tenantId, open.tenantId);
  return work();
}
