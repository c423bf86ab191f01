import { randomBytes } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import type { DemoDirectory } from '../demo-directories.js';
import { formField, sendPage, type DevIdpServer } from '../http-server.js';
import { samlPostPage, userPickerPage } from '../pages.js';
import { RefusedRequest } from '../refused-request.js';
import { redirectUrl, readRedirectRequest } from './redirect-binding.js';
import { loginResponse, logoutResponse, type SamlTenantIdentity } from './saml-messages.js';
import { SAML_NAMESPACES, attributeOf, childElement, textOf } from './saml-xml.js';

/** A service provider registered in the tenant: an enterprise application with SAML sign-in. */
export interface SamlServiceProviderRegistration {
  readonly tenantId: string;
  readonly entityId: string;
  readonly acsUrl: string;
  /** Where the LogoutResponse goes; without it the tenant refuses the SP's LogoutRequests. */
  readonly sloUrl?: string;
  /** Verifies the SP's signed AuthnRequests and LogoutRequests. */
  readonly signingCertPem: string;
}

interface PendingLogin {
  readonly tenantId: string;
  readonly serviceProvider: SamlServiceProviderRegistration;
  readonly requestId: string;
  readonly relayState: string | undefined;
  readonly expiresAt: number;
}

/** As long as Entra keeps a sign-in page open before the AuthnRequest goes stale. */
const PENDING_LOGIN_LIFETIME_MS = 10 * 60_000;
const HTTP_POST_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

/** Sign-ins between the AuthnRequest and the user's choice, by an unguessable id that the picker form carries. */
export class PendingSamlLogins {
  private readonly logins = new Map<string, PendingLogin>();

  add(login: Omit<PendingLogin, 'expiresAt'>): string {
    const now = Date.now();
    for (const [id, pending] of this.logins) if (pending.expiresAt <= now) this.logins.delete(id);
    const id = randomBytes(24).toString('base64url');
    this.logins.set(id, { ...login, expiresAt: now + PENDING_LOGIN_LIFETIME_MS });
    return id;
  }

  /** Once only, and only at the tenant that received the request. */
  take(id: string, tenantId: string): PendingLogin | undefined {
    const pending = this.logins.get(id);
    if (!pending || pending.tenantId !== tenantId) return undefined;
    this.logins.delete(id);
    return pending.expiresAt > Date.now() ? pending : undefined;
  }
}

export interface SamlTenant {
  readonly directory: DemoDirectory;
  readonly idp: SamlTenantIdentity;
  readonly serviceProviders: readonly SamlServiceProviderRegistration[];
  readonly metadataPath: string;
}

/**
 * Entra's SAML endpoint of one tenant: `/<tid>/saml2` takes AuthnRequests and LogoutRequests in
 * the HTTP-Redirect binding, signed by a registered service provider, and the federation
 * metadata is at Entra's path.
 */
export function registerSamlEndpoints(app: DevIdpServer, tenant: SamlTenant, pendingLogins: PendingSamlLogins, metadataXml: string): void {
  const { directory, idp } = tenant;
  const ssoPath = new URL(idp.ssoUrl).pathname;
  const loginPath = `${ssoPath}/login`;

  app.get(tenant.metadataPath, (_request, reply) => reply.type('application/samlmetadata+xml; charset=utf-8').send(metadataXml));

  app.get(ssoPath, (request, reply) => {
    const received = readRedirectRequest(rawQueryOf(request.url));
    const { message } = received;
    const serviceProvider = registeredServiceProvider(tenant, message);
    received.verifySignature(serviceProvider.signingCertPem);
    const requestId = attributeOf(message, 'ID');
    if (!requestId) throw new RefusedRequest(`the ${message.localName} has no ID`);
    const destination = attributeOf(message, 'Destination');
    if (destination !== undefined && destination !== idp.ssoUrl) throw new RefusedRequest(`Destination "${destination}" is not this endpoint, ${idp.ssoUrl}`);

    if (message.localName === 'LogoutRequest') {
      if (!serviceProvider.sloUrl) throw new RefusedRequest(`no logout URL is registered for ${serviceProvider.entityId}`);
      if (!textOf(childElement(message, SAML_NAMESPACES.assertion, 'NameID'))) throw new RefusedRequest('the LogoutRequest names no NameID');
      return reply.redirect(redirectUrl(serviceProvider.sloUrl, 'SAMLResponse', logoutResponse(idp, serviceProvider.sloUrl, requestId), received.relayState), 302);
    }
    if (message.localName !== 'AuthnRequest') throw new RefusedRequest(`a ${message.localName} is not accepted here`);
    const acsUrl = attributeOf(message, 'AssertionConsumerServiceURL');
    if (acsUrl !== undefined && acsUrl !== serviceProvider.acsUrl) {
      throw new RefusedRequest(`AssertionConsumerServiceURL "${acsUrl}" is not the reply URL registered for ${serviceProvider.entityId}`);
    }
    const binding = attributeOf(message, 'ProtocolBinding');
    if (binding !== undefined && binding !== HTTP_POST_BINDING) throw new RefusedRequest(`ProtocolBinding "${binding}" is not supported; Entra answers with HTTP-POST`);
    const interactionId = pendingLogins.add({ tenantId: directory.tenantId, serviceProvider, requestId, relayState: received.relayState });
    return sendPage(reply, userPickerPage({ directory, application: serviceProvider.entityId, formAction: loginPath, interactionId }));
  });

  app.post(loginPath, (request, reply) => {
    const pending = pendingLogins.take(formField(request.body, 'interaction'), directory.tenantId);
    if (!pending) throw new RefusedRequest('this sign-in is unknown, expired or already answered; start again at the application');
    const oid = formField(request.body, 'oid');
    const user = directory.users.find((candidate) => candidate.oid === oid);
    if (!user) throw new RefusedRequest(`${directory.name} has no user ${oid}`);
    const { serviceProvider } = pending;
    const response = loginResponse({ idp, spEntityId: serviceProvider.entityId, acsUrl: serviceProvider.acsUrl, inResponseTo: pending.requestId, user });
    const fields = { SAMLResponse: Buffer.from(response, 'utf8').toString('base64'), ...(pending.relayState === undefined ? {} : { RelayState: pending.relayState }) };
    return sendPage(reply, samlPostPage(serviceProvider.acsUrl, fields));
  });
}

/** Entra knows an application by the Issuer of its request and answers nobody else. */
function registeredServiceProvider(tenant: SamlTenant, message: Element): SamlServiceProviderRegistration {
  const entityId = textOf(childElement(message, SAML_NAMESPACES.assertion, 'Issuer'));
  if (!entityId) throw new RefusedRequest(`the ${message.localName} has no Issuer`);
  const serviceProvider = tenant.serviceProviders.find((candidate) => candidate.entityId === entityId);
  if (!serviceProvider) throw new RefusedRequest(`no application with entity id "${entityId}" is registered in ${tenant.directory.name}`);
  return serviceProvider;
}

/** The query exactly as sent: the redirect-binding signature covers its URL encoding. */
function rawQueryOf(url: string): string {
  const start = url.indexOf('?');
  return start === -1 ? '' : url.slice(start + 1);
}
