import type { AuditActor, AuditEventInput, AuditWriter } from '@veilig/audit';
import { IdentityEvents, type IdentityEvent, type UserDirectory } from '@veilig/identity';

/**
 * Identity's events (sign-in, sign-out, refusals, SSO and tenant changes) as audit events in the
 * tenant's hash-chained trail. A user's name and e-mail are looked up and written with the event,
 * so the trail names a natural person even after the user is gone (SV-7.9).
 */
export class IdentityAuditEvents extends IdentityEvents {
  constructor(
    private readonly audit: AuditWriter,
    private readonly users: UserDirectory,
  ) {
    super();
  }

  async emit(event: IdentityEvent): Promise<void> {
    await this.audit.record(await this.toAuditEvent(event));
  }

  private async toAuditEvent(event: IdentityEvent): Promise<AuditEventInput> {
    const device = {
      ...(event.clientIp && { ip: event.clientIp }),
      ...(event.userAgent && { userAgent: event.userAgent }),
      ...(event.deviceId && { deviceId: event.deviceId }),
    };
    const target = event.target
      ? event.target
      : event.connectionId
      ? { type: 'sso-connection', id: event.connectionId }
      : event.tenantId && event.action.startsWith('tenant.')
        ? { type: 'tenant', id: event.tenantId }
        : undefined;
    return {
      tenantId: event.tenantId ?? null,
      action: event.action,
      outcome: event.outcome,
      actor: await this.actorOf(event),
      ...(Object.keys(device).length > 0 && { device }),
      ...(target && { target }),
      ...(event.reason && { reason: event.reason }),
      ...(event.requestId && { requestId: event.requestId }),
      ...(event.protocol && { details: { protocol: event.protocol } }),
    };
  }

  private async actorOf(event: IdentityEvent): Promise<AuditActor> {
    if (event.operator) return { type: 'operator', operator: event.operator };
    if (!event.userId || !event.tenantId) return { type: event.clientIp ? 'user' : 'system' };
    const user = await this.users.findById(event.tenantId, event.userId);
    return {
      type: 'user',
      userId: event.userId,
      ...(user?.idpSubject && { idpSubject: user.idpSubject }),
      ...(user?.displayName && { displayName: user.displayName }),
      ...(user?.email && { email: user.email }),
    };
  }
}
