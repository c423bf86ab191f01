import type { PermissionName } from '@veilig/platform-http';
import type { Access } from './access.js';
import { auditContextOf, type AuditRecorder } from './audit-context.js';
import type { RequestWithAccess } from './permission.guard.js';

/** Records every refused request (SV-7.9: rejected attempts to reach parts of the system) before the 403 goes out. */
export class AccessDenials {
  constructor(private readonly audit: AuditRecorder) {}

  async record(request: RequestWithAccess, access: Access, missing: readonly PermissionName[], reason: string): Promise<void> {
    await this.audit.record({
      ...auditContextOf(request),
      tenantId: access.tenantId,
      action: 'access.denied',
      outcome: 'denied',
      target: { type: 'route', id: `${request.method} ${request.routeOptions.url ?? request.url}` },
      reason,
      details: { missingPermissions: [...missing] },
    });
  }
}
