import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { TenantContext } from './tenant-context.js';

/** The part of the request AuthenticationGuard (@veilig/identity) fills in from the session. */
interface RequestWithSession {
  readonly session?: { readonly tenantId: string; readonly userId: string };
}

/**
 * Runs each route handler in the tenant context of its session, the only source of a request's
 * tenant: no header, path or body can name one. Register it globally (APP_INTERCEPTOR); it runs
 * after the guards, so the session is known. A public route has no session and so no tenant
 * context, and any tenant-scoped work it attempts fails.
 */
@Injectable()
export class TenantContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const { session } = context.switchToHttp().getRequest<RequestWithSession>();
    if (!session) return next.handle();
    const identity = { tenantId: session.tenantId, actorId: session.userId };
    // Both the handler's creation and its subscription happen inside the context, so the
    // handler and everything it awaits see the tenant, however NestJS defers it.
    return new Observable((subscriber) => TenantContext.run(identity, () => next.handle().subscribe(subscriber)));
  }
}
