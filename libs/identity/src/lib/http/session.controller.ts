import { Controller, Delete, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { CookieWriter, SignedIn } from '@veilig/platform-http';
import type { FastifyReply } from 'fastify';
import { UserDirectory } from '../directory/user-directory.js';
import { SessionStore, type ActiveSession } from '../sessions/session-store.js';
import type { AuthenticatedRequest } from './authentication.guard.js';
import { SESSION_COOKIE, sessionTokenFrom } from './session-cookie.js';
import { IdentityEvents } from '../web/identity-events.js';
import { FederatedLogout } from '../web/federated-logout.js';
import { clientOf } from '../web/login.controller.js';

interface SessionView {
  readonly id: string;
  readonly current: boolean;
  readonly authMethod: string;
  readonly clientIp: string | null;
  readonly userAgent: string | null;
  readonly createdAt: string;
  readonly lastSeenAt: string;
}

/** The signed-in user's own sessions: see them, end one, end this one. Every user may, whatever their roles. */
@SignedIn()
@Controller()
export class SessionController {
  constructor(
    private readonly sessions: SessionStore,
    private readonly users: UserDirectory,
    private readonly cookies: CookieWriter,
    private readonly events: IdentityEvents,
    private readonly federatedLogout: FederatedLogout,
  ) {}

  @Get('api/session')
  async current(@Req() request: AuthenticatedRequest) {
    const user = await this.users.findById(request.session.tenantId, request.session.userId);
    if (!user) throw new NotFoundException();
    return {
      user: { id: user.id, displayName: user.displayName, email: user.email, department: user.department },
      tenantId: request.session.tenantId,
      session: view(request.session, request.session.id),
    };
  }

  @Get('api/sessions')
  async list(@Req() request: AuthenticatedRequest): Promise<{ items: SessionView[] }> {
    const sessions = await this.sessions.listActive(request.session.tenantId, request.session.userId);
    return { items: sessions.map((session) => view(session, request.session.id)) };
  }

  @Delete('api/sessions/:id')
  @HttpCode(204)
  async revoke(@Req() request: AuthenticatedRequest, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    const own = await this.sessions.listActive(request.session.tenantId, request.session.userId);
    if (!own.some((session) => session.id === id) || !(await this.sessions.revokeById(request.session.tenantId, id))) {
      throw new NotFoundException();
    }
  }

  /**
   * POST only, and the session cookie is SameSite=Lax, so another site cannot sign a user out.
   * A federated session then continues to the IdP's logout, so the Entra session ends too.
   */
  @Post('logout')
  @HttpCode(303)
  async logout(@Req() request: AuthenticatedRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const token = sessionTokenFrom(request.headers.cookie);
    const ended = token ? await this.sessions.revoke(token) : undefined;
    if (ended) {
      await this.events.emit({ action: 'auth.logoff', outcome: 'success', tenantId: ended.tenantId, userId: ended.userId, ...clientOf(request) });
    }
    this.cookies.clear(reply, SESSION_COOKIE);
    let next = '/';
    if (ended?.idpLogoutSealed) {
      try {
        next = (await this.federatedLogout.redirectUrl(ended.idpLogoutSealed)) ?? '/';
      } catch (error) {
        request.log.warn({ err: error }, 'logout at the IdP not possible; ended the local session only');
      }
    }
    reply.header('location', next);
  }
}

function view(session: ActiveSession, currentId: string): SessionView {
  return {
    id: session.id,
    current: session.id === currentId,
    authMethod: session.authMethod,
    clientIp: session.clientIp,
    userAgent: session.userAgent,
    createdAt: session.createdAt.toISOString(),
    lastSeenAt: session.lastSeenAt.toISOString(),
  };
}
