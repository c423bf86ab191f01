import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Public } from '@veilig/platform-http';
import type { FastifyRequest } from 'fastify';
import { SessionStore, type ResolvedSession } from '../sessions/session-store.js';
import { sessionTokenFrom } from './session-cookie.js';

export interface AuthenticatedRequest extends FastifyRequest {
  session: ResolvedSession;
}

/**
 * Global guard: every route needs a live session unless it is marked @Public(). A route without
 * any decorator is closed. The tenant of the request is the session's, never the input's.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionStore,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride(Public, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = sessionTokenFrom(request.headers.cookie);
    const session = token ? await this.sessions.resolve(token, request.ip) : undefined;
    if (!session) throw new UnauthorizedException('Sign in first.');
    (request as AuthenticatedRequest).session = session;
    return true;
  }
}
