import type { SsoConnection, SsoConnectionRepository } from '../connections/sso-connection-repository.js';
import type { OidcClientAuth, OidcConnection } from '../oidc/oidc-connection.js';
import { OidcRelyingParty } from '../oidc/oidc-relying-party.js';
import type { SamlConnection } from '../saml/saml-connection.js';
import { SamlServiceProvider } from '../saml/saml-service-provider.js';
import type { SamlRequestStore } from '../saml/saml-stores.js';
import type { PendingLoginStore, SeenAssertionStore } from '../stores/pending-login-store.js';

/** Public settings of a SAML connection as stored; the SP signing key is among the sealed secrets. */
export interface SamlSettings {
  readonly spEntityId?: string;
  readonly idpEntityId: string;
  readonly idpSsoUrl: string;
  readonly idpSloUrl?: string;
  readonly idpSigningCertsPem: readonly string[];
  readonly spSigningCertPem: string;
}

/** Public settings of an OIDC connection as stored; the client key or secret is among the sealed secrets. */
export interface OidcSettings {
  readonly issuer: string;
  readonly expectedTenantId: string;
  readonly clientId: string;
  readonly certificatePem?: string;
  /** Development only (the dev IdP on loopback with its own certificate); ignored in production. */
  readonly allowPrivateNetwork?: boolean;
  readonly trustedCaPem?: string;
}

export interface FederationOptions {
  readonly publicOrigin: URL;
  readonly production: boolean;
}

/**
 * Turns stored connections into protocol engines, once per connection (an OIDC relying party
 * caches its discovery document). A changed connection gets a new engine after `forget`.
 */
export class FederationRegistry {
  private readonly engines = new Map<string, { readonly settings: string; readonly engine: Promise<SamlServiceProvider | OidcRelyingParty> }>();
  private readonly samlRequests: SamlRequestStore;

  constructor(
    private readonly connections: SsoConnectionRepository,
    pendingLogins: PendingLoginStore,
    private readonly seenAssertions: SeenAssertionStore,
    private readonly options: FederationOptions,
  ) {
    this.samlRequests = {
      save: (requestId, connectionId, expiresAt) => pendingLogins.save(`saml:${requestId}`, connectionId, expiresAt),
      take: async (requestId, connectionId) => (await pendingLogins.take(`saml:${requestId}`, connectionId)) !== undefined,
    };
  }

  get publicOrigin(): URL {
    return this.options.publicOrigin;
  }

  forget(connectionId: string): void {
    this.engines.delete(connectionId);
  }

  async samlConnection(connection: SsoConnection): Promise<SamlConnection> {
    const settings = connection.settings as unknown as SamlSettings;
    const secrets = await this.connections.secretsOf(connection);
    const base = new URL(`/sso/saml/${connection.id}/`, this.options.publicOrigin).toString();
    return {
      connectionId: connection.id,
      spEntityId: settings.spEntityId ?? `${base}metadata`,
      acsUrl: `${base}acs`,
      sloUrl: `${base}slo`,
      idpEntityId: settings.idpEntityId,
      idpSsoUrl: settings.idpSsoUrl,
      ...(settings.idpSloUrl ? { idpSloUrl: settings.idpSloUrl } : {}),
      idpSigningCertsPem: settings.idpSigningCertsPem,
      spSigningKeyPem: required(secrets, 'spSigningKeyPem'),
      spSigningCertPem: settings.spSigningCertPem,
    };
  }

  samlProvider(connection: SsoConnection): Promise<SamlServiceProvider> {
    return this.engine(connection, async () =>
      new SamlServiceProvider(await this.samlConnection(connection), { requestStore: this.samlRequests, replayStore: this.seenAssertions }),
    ) as Promise<SamlServiceProvider>;
  }

  relyingParty(connection: SsoConnection): Promise<OidcRelyingParty> {
    return this.engine(connection, async () => {
      const settings = connection.settings as unknown as OidcSettings;
      const secrets = await this.connections.secretsOf(connection);
      const clientAuth: OidcClientAuth = secrets['privateKeyPem']
        ? { method: 'private_key_jwt', privateKeyPem: secrets['privateKeyPem'], certificatePem: settings.certificatePem ?? '' }
        : { method: 'client_secret_post', clientSecret: required(secrets, 'clientSecret') };
      const development = !this.options.production;
      const oidcConnection: OidcConnection = {
        connectionId: connection.id,
        issuer: settings.issuer,
        expectedTenantId: settings.expectedTenantId,
        clientId: settings.clientId,
        redirectUri: new URL(`/sso/oidc/${connection.id}/callback`, this.options.publicOrigin).toString(),
        postLogoutRedirectUri: new URL('/', this.options.publicOrigin).toString(),
        clientAuth,
        allowPrivateNetwork: development && settings.allowPrivateNetwork === true,
      };
      return new OidcRelyingParty(oidcConnection, {
        outbound: development && settings.trustedCaPem ? { trustedCaPem: settings.trustedCaPem } : {},
      });
    }) as Promise<OidcRelyingParty>;
  }

  /**
   * Rebuilt whenever the stored settings differ from those the engine was built from, so a
   * refresh or CLI change made by another replica takes effect here too without a restart.
   */
  private engine(connection: SsoConnection, build: () => Promise<SamlServiceProvider | OidcRelyingParty>) {
    const settings = JSON.stringify(connection.settings);
    const cached = this.engines.get(connection.id);
    if (cached?.settings === settings) return cached.engine;
    const engine = build();
    engine.catch(() => this.engines.delete(connection.id));
    this.engines.set(connection.id, { settings, engine });
    return engine;
  }
}

function required(secrets: Readonly<Record<string, string>>, name: string): string {
  const value = secrets[name];
  if (!value) throw new Error(`SSO connection secret "${name}" is missing`);
  return value;
}
