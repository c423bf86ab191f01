import type { AuditActor, AuditDevice, AuditEventInput } from '@veilig/audit';
import type { RequestWithAccess } from './permission.guard.js';

/** Where audit events of a request go: the audit writer of @veilig/audit, or anything that records the same way. */
export interface AuditRecorder {
  record(input: AuditEventInput): Promise<unknown>;
}

/** Who did it, from which device, in which session and request: the part of every event a request decides. */
export type RequestAuditContext = Pick<AuditEventInput, 'tenantId' | 'actor' | 'sessionId' | 'device' | 'requestId'>;

/** The audit context of a signed-in request, from its session; never from anything the client sent but its address and user agent. */
export function auditContextOf(request: RequestWithAccess): RequestAuditContext {
  const session = request.session;
  const actor: AuditActor = {
    type: 'user',
    ...(session && { userId: session.userId }),
    ...(session?.user?.idpSubject && { idpSubject: session.user.idpSubject }),
    ...(session?.user?.displayName && { displayName: session.user.displayName }),
    ...(session?.user?.email && { email: session.user.email }),
  };
  const userAgent = request.headers['user-agent'];
  const device: AuditDevice = { ip: request.ip, ...(userAgent && { userAgent }), ...(session?.deviceId && { deviceId: session.deviceId }) };
  return {
    tenantId: session?.tenantId ?? null,
    actor,
    ...(session && { sessionId: session.id }),
    device,
    requestId: String(request.id),
  };
}
