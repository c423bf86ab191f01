import { createHash } from 'node:crypto';
import { Body, Controller, ForbiddenException, Get, Header, NotFoundException, Param, Post, Req, Res } from '@nestjs/common';
import { CookieWriter, Public } from '@veilig/platform-http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SsoConnectionRepository, type SsoConnection } from '../connections/sso-connection-repository.js';
import { tenantAllowsAddress } from '../directory/ip-allow-list.js';
import { TenantDirectory } from '../directory/tenant-directory.js';
import { UserDirectory } from '../directory/user-directory.js';
import type { OidcFederatedIdentity } from '../oidc/entra-claims.js';
import type { SamlFederatedIdentity } from '../saml/entra-claims.js';
import { SESSION_COOKIE } from '../http/session-cookie.js';
import { OidcError } from '../oidc/oidc-error.js';
import { spMetadataXml } from '../saml/idp-metadata.js';
import { SamlError } from '../saml/saml-error.js';
import { SecretBox } from '../secret-box.js';
import { SessionStore } from '../sessions/session-store.js';
import { PendingLoginStore } from '../stores/pending-login-store.js';
import { FederatedLogout } from './federated-logout.js';
import { FederationRegistry } from './federation-registry.js';
import { IdentityEvents } from './identity-events.js';
import { clientOf } from './login.controller.js';
import { discoveryPage, GENERIC_FAILURE } from './pages.js';
import { readCookie } from './read-cookie.js';
import { RoleClaimsSink } from './role-claims-sink.js';

const OIDC_STATE_COOKIE = 'oidc';
const PENDING_SECONDS = 600;

/**
 * SP- and RP-initiated sign-in with the tenant's Entra ID (SE-7.1, SV-4): the only way into a
 * federated tenant. Users are provisioned just in time under (tenant, Entra object id).
 */
@Public()
@Controller('sso')
export class SsoController {
  constructor(
    private readonly connections: SsoConnectionRepository,
    private readonly registry: FederationRegistry,
    private readonly federatedLogout: FederatedLogout,
    private readonly tenants: TenantDirectory,
    private readonly users: UserDirectory,
    private readonly pendingLogins: PendingLoginStore,
    private readonly sessions: SessionStore,
    private readonly cookies: CookieWriter,
    private readonly secretBox: SecretBox,
    private readonly events: IdentityEvents,
    private readonly roleClaims: RoleClaimsSink,
  ) {}

  @Get('saml/:id/metadata')
  @Header('content-type', 'application/samlmetadata+xml; charset=utf-8')
  async samlMetadata(@Param('id') id: string, @Req() request: FastifyRequest): Promise<string> {
    const connection = await this.usableConnection(id, request, 'saml');
    return spMetadataXml(await this.registry.samlConnection(connection));
  }

  @Get('saml/:id/start')
  async samlStart(@Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const connection = await this.usableConnection(id, request, 'saml');
    const provider = await this.registry.samlProvider(connection);
    const redirect = await provider.createLoginRedirect({ relayState: '' });
    reply.code(303).header('location', redirect.url).send();
  }

  /** The HTTP-POST binding: a cross-site form post from the IdP, bound to our request by InResponseTo, not by a cookie. */
  @Post('saml/:id/acs')
  async samlAcs(@Param('id') id: string, @Req() request: FastifyRequest, @Body() body: Record<string, string>, @Res() reply: FastifyReply) {
    const connection = await this.usableConnection(id, request, 'saml');
    try {
      const provider = await this.registry.samlProvider(connection);
      const identity = await provider.validatePostResponse({ SAMLResponse: String(body?.SAMLResponse ?? ''), RelayState: body?.RelayState });
      await this.signIn(reply, request, connection, identity);
    } catch (error) {
      await this.refuse(reply, request, connection, error);
    }
  }

  /** Entra's answer to our LogoutRequest; the local session ended before the browser went there. */
  @Get('saml/:id/slo')
  async samlLogoutResponse(@Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const connection = await this.usableConnection(id, request, 'saml');
    try {
      const provider = await this.registry.samlProvider(connection);
      await provider.validateLogoutResponse(request.url.slice(request.url.indexOf('?') + 1));
    } catch (error) {
      const reason = error instanceof SamlError ? error.reason : 'internal-error';
      await this.events.emit({ action: 'auth.logoff', outcome: 'failure', tenantId: connection.tenantId, connectionId: id, protocol: 'saml', reason, ...clientOf(request) });
    }
    reply.code(303).header('location', '/').send();
  }

  @Get('oidc/:id/start')
  async oidcStart(@Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const connection = await this.usableConnection(id, request, 'oidc');
    const relyingParty = await this.registry.relyingParty(connection);
    const login = await relyingParty.beginLogin();
    const sealed = this.secretBox.seal(JSON.stringify({ nonce: login.nonce, codeVerifier: login.codeVerifier }), oidcPurpose(connection.id));
    await this.pendingLogins.save(stateKey(login.state), connection.id, new Date(Date.now() + PENDING_SECONDS * 1000), sealed);
    // Binds the callback to this browser: a code injected into another browser (login CSRF) finds no matching cookie.
    this.cookies.set(reply, OIDC_STATE_COOKIE, login.state, { sameSite: 'Lax', maxAgeSeconds: PENDING_SECONDS });
    reply.code(303).header('location', login.url.toString()).send();
  }

  @Get('oidc/:id/callback')
  async oidcCallback(@Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const connection = await this.usableConnection(id, request, 'oidc');
    try {
      const callbackUrl = new URL(request.url, this.registry.publicOrigin);
      const state = callbackUrl.searchParams.get('state') ?? '';
      if (!state || state !== readCookie(request.headers.cookie, OIDC_STATE_COOKIE)) throw new OidcError('state-mismatch', 'state not started in this browser');
      const pending = await this.pendingLogins.take(stateKey(state), connection.id);
      if (!pending?.sealedState) throw new OidcError('state-mismatch', 'state unknown, used or expired');
      const expected = JSON.parse(this.secretBox.open(pending.sealedState, oidcPurpose(connection.id)).toString('utf8')) as { nonce: string; codeVerifier: string };
      const relyingParty = await this.registry.relyingParty(connection);
      const identity = await relyingParty.completeLogin(callbackUrl, { state, ...expected });
      this.cookies.clear(reply, OIDC_STATE_COOKIE);
      await this.signIn(reply, request, connection, identity);
    } catch (error) {
      await this.refuse(reply, request, connection, error);
    }
  }

  private async signIn(
    reply: FastifyReply,
    request: FastifyRequest,
    connection: SsoConnection,
    identity: SamlFederatedIdentity | OidcFederatedIdentity,
  ): Promise<void> {
    const context = clientOf(request);
    const user = await this.users.provisionFederated(connection.tenantId, identity);
    await this.roleClaims.applyRoleClaims(
      { tenantId: connection.tenantId, userId: user.id, connectionId: connection.id, roles: identity.roles, groups: identity.groups },
      {
        actor: {
          type: 'user',
          userId: user.id,
          ...(user.idpSubject && { idpSubject: user.idpSubject }),
          ...(user.displayName && { displayName: user.displayName }),
          ...(user.email && { email: user.email }),
        },
        device: {
          ...(context.clientIp && { ip: context.clientIp }),
          ...(context.userAgent && { userAgent: context.userAgent }),
          ...(identity.deviceId && { deviceId: identity.deviceId }),
        },
        requestId: String(request.id),
      },
    );
    const { token } = await this.sessions.create({
      userId: user.id,
      tenantId: connection.tenantId,
      authMethod: connection.protocol,
      idpSessionId: identity.idpSessionId,
      clientIp: context.clientIp,
      userAgent: context.userAgent,
      deviceId: identity.deviceId,
      idpLogoutSealed: this.federatedLogout.sealFor(connection.id, identity),
    });
    this.cookies.set(reply, SESSION_COOKIE, token, { sameSite: 'Lax' });
    await this.events.emit({
      action: 'auth.logon',
      outcome: 'success',
      tenantId: connection.tenantId,
      userId: user.id,
      protocol: connection.protocol,
      connectionId: connection.id,
      deviceId: identity.deviceId,
      ...context,
    });
    reply.code(303).header('location', '/').send();
  }

  /** One generic page for the user; the precise reason goes to the audit trail only. */
  private async refuse(reply: FastifyReply, request: FastifyRequest, connection: SsoConnection, error: unknown): Promise<void> {
    const known = error instanceof SamlError || error instanceof OidcError;
    if (!known) request.log.error({ err: error, connectionId: connection.id }, 'federated sign-in failed unexpectedly');
    await this.events.emit({
      action: 'auth.rejected',
      outcome: 'denied',
      tenantId: connection.tenantId,
      protocol: connection.protocol,
      connectionId: connection.id,
      reason: known ? error.reason : 'internal-error',
      ...clientOf(request),
    });
    reply.code(known ? 400 : 500).type('text/html; charset=utf-8').send(discoveryPage(GENERIC_FAILURE));
  }

  /**
   * Unknown, disabled, mismatched, or of a tenant that is not an active federated one: 404, the
   * same for all. From outside the tenant's IP allow-list (SV-4): 403, audited.
   */
  private async usableConnection(id: string, request: FastifyRequest, protocol: 'saml' | 'oidc'): Promise<SsoConnection> {
    const connection = await this.connections.findById(id);
    const tenant = connection && (await this.tenants.findById(connection.tenantId));
    if (!connection || !connection.enabled || connection.protocol !== protocol || tenant?.status !== 'active' || tenant.authMode !== 'federated') {
      throw new NotFoundException();
    }
    if (!tenantAllowsAddress(tenant, request.ip)) {
      await this.events.emit({ action: 'auth.rejected', outcome: 'denied', tenantId: tenant.id, connectionId: id, reason: 'ip-not-allowed', ...clientOf(request) });
      throw new ForbiddenException();
    }
    return connection;
  }
}

function stateKey(state: string): string {
  return `oidc:${createHash('sha256').update(state).digest('base64url')}`;
}

function oidcPurpose(connectionId: string): string {
  return `oidc-login:${connectionId}`;
}
