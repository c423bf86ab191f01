import { createServer, type AddressInfo } from 'node:net';
import { issueCertificate } from '@veilig/platform-pki';
import type { DemoDirectory } from './demo-directories.js';
import { DevIdpRefusedError } from './dev-idp-refused-error.js';
import { createDevIdpServer, sendPage } from './http-server.js';
import { registerOidcEndpoints } from './oidc/oidc-endpoints.js';
import { createTenantOpenIdProvider, type OidcClientRegistration } from './oidc/tenant-provider.js';
import { overviewPage, type TenantOverview } from './pages.js';
import { PendingSamlLogins, registerSamlEndpoints, type SamlServiceProviderRegistration } from './saml/saml-endpoints.js';
import { entraEntityId, federationMetadata, type SamlTenantIdentity } from './saml/saml-messages.js';

export interface DevIdpOptions {
  /** Listen address; the origin the IdP names in its issuers and metadata is https://<host>:<port>. */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The kit's development certificate; it must cover `host`. */
  readonly tls: { readonly certPem: string; readonly keyPem: string };
  /** True refuses to start: the dev IdP signs anyone in as anyone. */
  readonly production: boolean;
  readonly directories: readonly DemoDirectory[];
  readonly oidcClients: readonly OidcClientRegistration[];
  readonly samlServiceProviders: readonly SamlServiceProviderRegistration[];
}

export interface RunningDevIdp {
  /** `https://<host>:<port>` */
  readonly origin: string;
  /** `https://<host>:<port>/<tid>/v2.0`, Entra's v2.0 issuer form. */
  oidcIssuer(tenantId: string): string;
  /** `…/<tid>/federationmetadata/2007-06/federationmetadata.xml`, Entra's path. */
  samlMetadataUrl(tenantId: string): string;
  /** `…/<tid>/saml2`, for sign-in and logout alike. */
  samlSsoUrl(tenantId: string): string;
  /** The certificate every tenant signs its SAML assertions and metadata with. */
  readonly samlSigningCertPem: string;
  close(): Promise<void>;
}

const METADATA_PATH = '/federationmetadata/2007-06/federationmetadata.xml';
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Starts a development identity provider that behaves like Microsoft Entra ID for OpenID Connect
 * and SAML 2.0, one issuer per demo tenant, with a page to pick a demo user instead of a password.
 * For `npm start` and end-to-end tests only: it refuses to start in production.
 */
export async function startDevIdp(options: DevIdpOptions): Promise<RunningDevIdp> {
  // NODE_ENV is checked as well, so a caller that passes the wrong flag in production is still refused.
  if (options.production || process.env['NODE_ENV'] === 'production') throw new DevIdpRefusedError();
  checkRegistrations(options);

  const formActionOrigins = [
    ...options.oidcClients.flatMap((client) => [...client.redirectUris, ...client.postLogoutRedirectUris]),
    ...options.samlServiceProviders.map((serviceProvider) => serviceProvider.acsUrl),
  ].map((url) => new URL(url).origin);
  // Every issuer and endpoint is named after the origin, and Fastify takes no routes once it listens: the port is chosen first.
  const port = options.port === 0 ? await freePortOn(options.host) : options.port;
  const origin = `https://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  const samlSigningKey = await issueCertificate({ subject: 'CN=Veilig Ontwikkel-IdP SAML Signing, O=Niet voor productie', key: 'rsa-2048' });
  const { app, policy } = createDevIdpServer(options.tls, formActionOrigins);
  const pendingSamlLogins = new PendingSamlLogins();
  const overview: TenantOverview[] = [];
  for (const directory of options.directories) {
    const { tenantId } = directory;
    const openIdProvider = await createTenantOpenIdProvider(
      origin,
      directory,
      options.oidcClients.filter((client) => client.tenantId === tenantId),
    );
    registerOidcEndpoints(app, directory, openIdProvider, policy);
    const idp: SamlTenantIdentity = { tenantId, entityId: entraEntityId(tenantId), ssoUrl: `${origin}/${tenantId}/saml2`, signingKey: samlSigningKey };
    const metadataPath = `/${tenantId}${METADATA_PATH}`;
    const serviceProviders = options.samlServiceProviders.filter((serviceProvider) => serviceProvider.tenantId === tenantId);
    registerSamlEndpoints(app, { directory, idp, serviceProviders, metadataPath }, pendingSamlLogins, federationMetadata(idp));
    overview.push({ directory, issuer: openIdProvider.issuer, samlMetadataUrl: `${origin}${metadataPath}` });
  }
  app.get('/', (_request, reply) => sendPage(reply, overviewPage(overview)));
  await app.listen({ host: options.host, port });

  const tenantUrl = (tenantId: string, path: string) => {
    if (!options.directories.some((directory) => directory.tenantId === tenantId)) throw new Error(`the development IdP has no tenant ${tenantId}`);
    return `${origin}/${tenantId}${path}`;
  };
  return {
    origin,
    oidcIssuer: (tenantId) => tenantUrl(tenantId, '/v2.0'),
    samlMetadataUrl: (tenantId) => tenantUrl(tenantId, METADATA_PATH),
    samlSsoUrl: (tenantId) => tenantUrl(tenantId, '/saml2'),
    samlSigningCertPem: samlSigningKey.certPem,
    close: () => app.close(),
  };
}

/** Mistakes in the registrations are reported at start, not as a puzzling refusal halfway through a sign-in. */
function checkRegistrations(options: DevIdpOptions): void {
  const tenantIds = new Set<string>();
  for (const directory of options.directories) {
    if (!TENANT_ID.test(directory.tenantId)) throw new Error(`tenant id "${directory.tenantId}" is not a lower-case GUID, as Entra's are`);
    if (tenantIds.has(directory.tenantId)) throw new Error(`tenant ${directory.tenantId} is listed twice`);
    tenantIds.add(directory.tenantId);
  }
  for (const registration of [...options.oidcClients, ...options.samlServiceProviders]) {
    if (!tenantIds.has(registration.tenantId)) throw new Error(`a registration names tenant ${registration.tenantId}, which is not a directory of the development IdP`);
  }
  for (const client of options.oidcClients) {
    if (client.redirectUris.length === 0) throw new Error(`OIDC client ${client.clientId} has no redirect URI`);
  }
}

function freePortOn(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
