import { auditContextOf, type RequestWithAccess } from '@veilig/access';
import type { AuditWriter } from '@veilig/audit';
import type { FastifyRequest } from 'fastify';

/**
 * An unexpected failure while serving a request, as a `security.exception` audit event (SE-3.2
 * names exceptions): in the tenant's trail when the request was signed in, otherwise in the
 * platform's. Only the error's class goes in, never its message, which may carry data.
 */
export function recordUnexpectedError(audit: AuditWriter): (request: FastifyRequest, exception: unknown) => Promise<void> {
  return async (request, exception) => {
    const signedIn = request as RequestWithAccess;
    const context = auditContextOf(signedIn);
    await audit.record({
      ...context,
      actor: signedIn.session ? context.actor : { type: 'system' },
      action: 'security.exception',
      outcome: 'failure',
      target: { type: 'route', id: `${request.method} ${request.routeOptions.url ?? request.url.split('?', 1)[0]}` },
      reason: exception instanceof Error ? exception.name : typeof exception,
    });
  };
}
