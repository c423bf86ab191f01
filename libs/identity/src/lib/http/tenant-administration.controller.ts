import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, Req, UnprocessableEntityException } from '@nestjs/common';
import { RequirePermissions, validatedInput } from '@veilig/platform-http';
import { z } from 'zod';
import { IdpMetadataFetchError } from '../connections/fetch-idp-metadata.js';
import { SsoAdministration, SsoAdministrationError } from '../connections/sso-administration.js';
import { SamlError } from '../saml/saml-error.js';
import { SsoConnectionRepository, type SsoConnection } from '../connections/sso-connection-repository.js';
import { TenantDirectory, type Tenant } from '../directory/tenant-directory.js';
import { UserDirectory } from '../directory/user-directory.js';
import { SessionStore } from '../sessions/session-store.js';
import { FederationRegistry } from '../web/federation-registry.js';
import { IdentityEvents } from '../web/identity-events.js';
import { clientOf } from '../web/login.controller.js';
import type { AuthenticatedRequest } from './authentication.guard.js';

const NEW_CONNECTION = z.discriminatedUnion('protocol', [
  z
    .object({
      protocol: z.literal('saml'),
      name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and hyphens'),
      metadataXml: z.string().min(1).max(1_000_000).optional(),
      metadataUrl: z.url({ protocol: /^https$/ }).optional(),
      spEntityId: z.string().min(1).max(1024).optional(),
    })
    .strict()
    .refine((input) => Boolean(input.metadataXml) !== Boolean(input.metadataUrl), 'give exactly one of metadataXml and metadataUrl'),
  z
    .object({
      protocol: z.literal('oidc'),
      name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and hyphens'),
      issuer: z.url({ protocol: /^https$/ }),
      entraTenantId: z.uuid(),
      clientId: z.string().min(1).max(256),
      clientSecret: z.string().min(16).max(1024).optional(),
    })
    .strict(),
]);

/**
 * A tenant admin's view of their tenant's sign-in: every live session (and ending any of them),
 * and the SSO connections (SE-7.1). Always the session's tenant; no id in the path can name
 * another. Changes are audited with the admin as actor. Switching a tenant's sign-in mode is not
 * here: that stays an operator action on the server (SE-7.2).
 */
@Controller('api/admin')
export class TenantAdministrationController {
  constructor(
    private readonly sessions: SessionStore,
    private readonly users: UserDirectory,
    private readonly tenants: TenantDirectory,
    private readonly connections: SsoConnectionRepository,
    private readonly administration: SsoAdministration,
    private readonly events: IdentityEvents,
    private readonly federation: FederationRegistry,
  ) {}

  @Get('sessions')
  @RequirePermissions('sessions:manage')
  async listSessions(@Req() request: AuthenticatedRequest) {
    const { tenantId } = request.session;
    const [sessions, people] = await Promise.all([this.sessions.listActive(tenantId), this.users.listForTenant(tenantId)]);
    const names = new Map(people.map((person) => [person.id, person.displayName ?? person.email]));
    return {
      items: sessions.map((session) => ({
        id: session.id,
        userId: session.userId,
        user: names.get(session.userId) ?? null,
        authMethod: session.authMethod,
        clientIp: session.clientIp,
        userAgent: session.userAgent,
        createdAt: session.createdAt.toISOString(),
        lastSeenAt: session.lastSeenAt.toISOString(),
      })),
    };
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @RequirePermissions('sessions:manage')
  async revokeSession(@Req() request: AuthenticatedRequest, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    if (!(await this.sessions.revokeById(request.session.tenantId, id))) throw new NotFoundException();
    await this.events.emit(this.revoked(request, { type: 'session', id }));
  }

  /** Signs a user out everywhere, e.g. when a device is lost. */
  @Delete('users/:userId/sessions')
  @HttpCode(204)
  @RequirePermissions('sessions:manage')
  async revokeUserSessions(@Req() request: AuthenticatedRequest, @Param('userId', new ParseUUIDPipe()) userId: string): Promise<void> {
    if (!(await this.users.findById(request.session.tenantId, userId))) throw new NotFoundException();
    const ended = await this.sessions.revokeAllOfUser(request.session.tenantId, userId);
    await this.events.emit({ ...this.revoked(request, { type: 'user', id: userId }), reason: `${ended} session(s) ended` });
  }

  @Get('sso-connections')
  @RequirePermissions('sso:read')
  async listConnections(@Req() request: AuthenticatedRequest) {
    const connections = await this.connections.listForTenant(request.session.tenantId);
    return { items: connections.map((connection) => this.view(connection)) };
  }

  @Post('sso-connections')
  @HttpCode(201)
  @RequirePermissions('sso:manage')
  async addConnection(@Req() request: AuthenticatedRequest, @Body() body: unknown) {
    const input = validatedInput(NEW_CONNECTION, body);
    const tenant = await this.tenant(request);
    const administration = this.actingFor(request);
    const created = await this.refusingClearly(() =>
      input.protocol === 'saml'
        ? administration.addSamlConnection(
            tenant.slug,
            input.name,
            input.metadataXml ? { metadataXml: input.metadataXml } : { metadataUrl: input.metadataUrl! },
            input.spEntityId ? { spEntityId: input.spEntityId } : {},
          )
        : administration.addOidcConnection(tenant.slug, input.name, {
            issuer: input.issuer,
            expectedTenantId: input.entraTenantId,
            clientId: input.clientId,
            ...(input.clientSecret && { clientSecret: input.clientSecret }),
          }),
    );
    return { ...this.view(created.connection), certificatePem: created.certificatePem ?? null };
  }

  @Delete('sso-connections/:id')
  @HttpCode(204)
  @RequirePermissions('sso:manage')
  async removeConnection(@Req() request: AuthenticatedRequest, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    const connection = (await this.connections.listForTenant(request.session.tenantId)).find((candidate) => candidate.id === id);
    if (!connection) throw new NotFoundException();
    const tenant = await this.tenant(request);
    await this.refusingClearly(() => this.actingFor(request).removeConnection(tenant.slug, connection.name));
  }

  /** What an admin needs to register the connection in Entra ID; never a secret or key. */
  private view(connection: SsoConnection) {
    const base = new URL(`/sso/${connection.protocol}/${connection.id}/`, this.federation.publicOrigin);
    return {
      id: connection.id,
      name: connection.name,
      protocol: connection.protocol,
      enabled: connection.enabled,
      metadataUrl: connection.metadataUrl,
      ...(connection.protocol === 'saml'
        ? { spMetadataUrl: new URL('metadata', base).toString(), acsUrl: new URL('acs', base).toString(), logoutUrl: new URL('slo', base).toString() }
        : { redirectUri: new URL('callback', base).toString() }),
    };
  }

  private async tenant(request: AuthenticatedRequest): Promise<Tenant> {
    const tenant = await this.tenants.findById(request.session.tenantId);
    if (!tenant) throw new NotFoundException();
    return tenant;
  }

  private actingFor(request: AuthenticatedRequest): SsoAdministration {
    return this.administration.actingAs({ userId: request.session.userId, ...clientOf(request) });
  }

  private async refusingClearly<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof SsoAdministrationError || error instanceof IdpMetadataFetchError || error instanceof SamlError) {
        throw new UnprocessableEntityException(error.message);
      }
      throw error;
    }
  }

  private revoked(request: AuthenticatedRequest, target: { type: string; id: string }) {
    return { action: 'session.revoked' as const, outcome: 'success' as const, tenantId: request.session.tenantId, userId: request.session.userId, target, ...clientOf(request) };
  }
}
