import type { SsoConnectionRepository } from '../connections/sso-connection-repository.js';
import type { OidcFederatedIdentity } from '../oidc/entra-claims.js';
import type { SamlFederatedIdentity } from '../saml/entra-claims.js';
import type { SecretBox } from '../secret-box.js';
import type { FederationRegistry } from './federation-registry.js';

type IdpLogout =
  | { readonly protocol: 'saml'; readonly connectionId: string; readonly nameId: string; readonly nameIdFormat: string | undefined; readonly idpSessionId: string | undefined }
  | { readonly protocol: 'oidc'; readonly connectionId: string; readonly idToken: string | undefined; readonly logoutHint: string | undefined };

const PURPOSE = 'idp-logout';

/**
 * Single logout towards the customer's IdP: at sign-in the session keeps, sealed, what the IdP
 * needs to end its own session (SAML NameID and SessionIndex, or the OIDC id_token); at logout the
 * browser goes there after the local session has already ended.
 */
export class FederatedLogout {
  constructor(
    private readonly secretBox: SecretBox,
    private readonly connections: SsoConnectionRepository,
    private readonly registry: FederationRegistry,
  ) {}

  sealFor(connectionId: string, identity: SamlFederatedIdentity | OidcFederatedIdentity): string {
    const logout: IdpLogout =
      identity.protocol === 'saml'
        ? { protocol: 'saml', connectionId, nameId: identity.nameId, nameIdFormat: identity.nameIdFormat, idpSessionId: identity.idpSessionId }
        : { protocol: 'oidc', connectionId, idToken: identity.idToken, logoutHint: identity.logoutHint };
    return this.secretBox.seal(JSON.stringify(logout), PURPOSE);
  }

  /** Where to send the browser to end the IdP session, or undefined when there is nowhere (local logout only). */
  async redirectUrl(sealed: string): Promise<string | undefined> {
    const logout = JSON.parse(this.secretBox.open(sealed, PURPOSE).toString('utf8')) as IdpLogout;
    const connection = await this.connections.findById(logout.connectionId);
    if (!connection?.enabled) return undefined;
    if (logout.protocol === 'saml') {
      const provider = await this.registry.samlProvider(connection);
      const connectionSettings = await this.registry.samlConnection(connection);
      if (!connectionSettings.idpSloUrl) return undefined;
      return (await provider.createLogoutRedirect({ nameId: logout.nameId, nameIdFormat: logout.nameIdFormat, idpSessionId: logout.idpSessionId })).url;
    }
    const relyingParty = await this.registry.relyingParty(connection);
    return (
      await relyingParty.buildLogoutUrl({
        ...(logout.idToken ? { idToken: logout.idToken } : {}),
        ...(logout.logoutHint ? { logoutHint: logout.logoutHint } : {}),
      })
    ).toString();
  }
}
