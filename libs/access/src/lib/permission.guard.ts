import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { routeAccessOf } from '@veilig/platform-http';
import type { FastifyRequest } from 'fastify';
import { PermissionDeniedError, type Access } from './access.js';
import { AccessResolver, type SessionForAccess } from './access-resolver.js';
import { AccessDenials } from './access-denials.js';

export interface RequestWithAccess extends FastifyRequest {
  session?: SessionForAccess;
  access?: Access;
}

/**
 * Global guard, after authentication: a route opens only as far as it declares. @Public and
 * @SignedIn routes need nothing more; @RequirePermissions routes need every permission named,
 * @RequireAnyPermission routes one of them;
 * a route that declares nothing is refused, so forgetting a declaration closes a route. A refusal
 * answers 403 problem+json and is recorded as access.denied.
 */
@Injectable()
export class PermissionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly resolver: AccessResolver,
    private readonly denials: AccessDenials,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const declared = routeAccessOf(this.reflector, context.getHandler(), context.getClass());
    const request = context.switchToHttp().getRequest<RequestWithAccess>();
    if (declared?.kind === 'public') return true;
    if (!request.session) throw new UnauthorizedException('Sign in first.');
    const access = await this.resolver.resolve(request.session);
    request.access = access;
    if (declared?.kind === 'signed-in') return true;
    if (!declared) {
      await this.denials.record(request, access, [], 'route declares no access rule');
      throw new ForbiddenException('This route is closed.');
    }
    const missing = declared.permissions.filter((permission) => !access.has(permission));
    const allowed = declared.mode === 'all' ? missing.length === 0 : missing.length < declared.permissions.length;
    if (allowed) return true;
    await this.denials.record(request, access, missing, 'missing permission');
    throw new PermissionDeniedError(missing);
  }
}
