import { timingSafeEqual } from 'node:crypto';
import {
  authorizationCodeGrant,
  buildAuthorizationUrl,
  buildEndSessionUrl,
  calculatePKCECodeChallenge,
  ClientError,
  customFetch,
  discovery,
  enableNonRepudiationChecks,
  randomNonce,
  randomPKCECodeVerifier,
  randomState,
  ResponseBodyError,
  type ClientAuth,
  type Configuration,
  type CustomFetch,
} from 'openid-client';
import { createClientAuthentication } from './client-authentication.js';
import { identityFromEntraClaims, type OidcFederatedIdentity } from './entra-claims.js';
import { DEFAULT_OIDC_SCOPES, validateOidcConnection, type OidcConnection } from './oidc-connection.js';
import { OidcError, type OidcErrorReason } from './oidc-error.js';
import { createGuardedFetch, type OutboundRequestOptions } from './ssrf-guard.js';

/** What `beginLogin` hands back: send the browser to `url`, keep the rest server-side for the callback. */
export interface LoginRequest {
  readonly url: URL;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

export type LoginExpectations = Pick<LoginRequest, 'state' | 'nonce' | 'codeVerifier'>;

export interface BeginLoginOptions {
  /** Pre-fills the account picker at Entra (`login_hint`), e.g. from a previous sign-in. */
  readonly loginHint?: string;
}

export interface OidcRelyingPartyOptions {
  readonly outbound?: OutboundRequestOptions;
  /** How long discovered metadata is used before it is fetched again. Default 24 h. */
  readonly discoveryRefreshMs?: number;
  /** After a failed refresh the last good metadata stays in use; the next try waits this long. Default 5 min. */
  readonly discoveryRetryMs?: number;
  /** For the audit log: a refresh failed and the last good metadata is still used. */
  readonly onDiscoveryRefreshFailed?: (error: OidcError) => void;
  readonly now?: () => number;
}

/** Entra signs id_tokens with RS256 only; pinning it refuses `none`, HS256 key confusion and any surprise. */
const ID_TOKEN_SIGNING_ALGORITHM = 'RS256';
const DEFAULT_DISCOVERY_REFRESH_MS = 24 * 60 * 60 * 1000;
const DEFAULT_DISCOVERY_RETRY_MS = 5 * 60 * 1000;

interface DiscoveredMetadata {
  readonly configuration: Configuration;
  refreshAt: number;
}

/**
 * The OpenID Connect relying party for one tenant's Entra ID connection: authorization code flow
 * with PKCE (S256), `private_key_jwt` at the token endpoint, and an id_token that must come from
 * exactly the configured issuer and tenant. Protocol only: the caller keeps state, nonce and
 * verifier in its server-side pre-login session and provisions the returned identity.
 */
export class OidcRelyingParty {
  private readonly clientAuthentication: ClientAuth;
  private readonly guardedFetch: CustomFetch;
  private readonly now: () => number;
  private discovered: DiscoveredMetadata | undefined;
  private discovering: Promise<Configuration> | undefined;

  constructor(
    private readonly connection: OidcConnection,
    private readonly options: OidcRelyingPartyOptions = {},
  ) {
    validateOidcConnection(connection);
    this.clientAuthentication = createClientAuthentication(connection.clientAuth);
    this.guardedFetch = createGuardedFetch({ ...options.outbound, allowPrivateNetwork: connection.allowPrivateNetwork ?? false });
    this.now = options.now ?? Date.now;
  }

  /**
   * `response_mode=query`: the callback is then a top-level GET, which carries the SameSite=Lax
   * pre-login session cookie that binds state, nonce and verifier; form_post is a cross-site
   * POST that would need a SameSite=None cookie. The code in the URL is single-use, short-lived,
   * bound to the PKCE verifier and redeemable only with this client's private key.
   */
  async beginLogin(options: BeginLoginOptions = {}): Promise<LoginRequest> {
    const configuration = await this.configuration();
    const state = randomState();
    const nonce = randomNonce();
    const codeVerifier = randomPKCECodeVerifier();
    const url = buildAuthorizationUrl(configuration, {
      redirect_uri: this.connection.redirectUri,
      response_type: 'code',
      response_mode: 'query',
      scope: (this.connection.scopes ?? DEFAULT_OIDC_SCOPES).join(' '),
      state,
      nonce,
      code_challenge: await calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      ...(options.loginHint === undefined ? {} : { login_hint: options.loginHint }),
    });
    return { url, state, nonce, codeVerifier };
  }

  /** Checks the authorization response, redeems the code and validates the id_token. */
  async completeLogin(callbackUrl: URL, expected: LoginExpectations): Promise<OidcFederatedIdentity> {
    const configuration = await this.configuration();
    const parameters = callbackUrl.searchParams;
    this.checkIssuerParameter(singleParameter(parameters, 'iss'), configuration);
    if (!sameSecret(singleParameter(parameters, 'state'), expected.state)) {
      throw new OidcError('state-mismatch', 'the callback state is not the one this browser session started with');
    }
    const idpErrorCode = singleParameter(parameters, 'error');
    if (idpErrorCode !== undefined) {
      throw new OidcError('idp-error', 'the IdP answered the authorization request with an error', { idpErrorCode });
    }
    // openid-client sends the URL it is given, minus the query, as redirect_uri: use the registered one, not the request's Host.
    const authorizationResponse = new URL(this.connection.redirectUri);
    authorizationResponse.search = callbackUrl.search;
    let tokens: Awaited<ReturnType<typeof authorizationCodeGrant>>;
    try {
      tokens = await authorizationCodeGrant(configuration, authorizationResponse, {
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        pkceCodeVerifier: expected.codeVerifier,
        idTokenExpected: true,
      });
    } catch (error) {
      throw toOidcError(error, 'id-token-invalid');
    }
    const claims = tokens.claims();
    if (!claims || tokens.id_token === undefined) throw new OidcError('id-token-invalid', 'the token response has no id_token');
    if (claims['tid'] !== this.connection.expectedTenantId) {
      throw new OidcError('tenant-mismatch', `the id_token is for Entra tenant ${String(claims['tid'])}, not the connection's tenant`);
    }
    return identityFromEntraClaims(claims, tokens.id_token);
  }

  /**
   * RP-initiated logout at the IdP. `id_token_hint` names the session exactly and lets the IdP
   * trust post_logout_redirect_uri; `logout_hint` is Entra's fallback when no id_token was kept.
   */
  async buildLogoutUrl(identity: Partial<Pick<OidcFederatedIdentity, 'idToken' | 'logoutHint'>>): Promise<URL> {
    const configuration = await this.configuration();
    const parameters = new URLSearchParams({ post_logout_redirect_uri: this.connection.postLogoutRedirectUri });
    if (identity.idToken !== undefined) parameters.set('id_token_hint', identity.idToken);
    else if (identity.logoutHint !== undefined) parameters.set('logout_hint', identity.logoutHint);
    return buildEndSessionUrl(configuration, parameters);
  }

  /**
   * RFC 9207 mix-up defence: an `iss` response parameter must be this issuer, and when the IdP
   * says it always sends one, a response without it is refused.
   */
  private checkIssuerParameter(iss: string | undefined, configuration: Configuration): void {
    if (iss === undefined) {
      if (configuration.serverMetadata().authorization_response_iss_parameter_supported === true) {
        throw new OidcError('iss-parameter-mismatch', 'the IdP always sends the iss response parameter, this callback has none');
      }
    } else if (iss !== this.connection.issuer) {
      throw new OidcError('iss-parameter-mismatch', 'the callback comes from another issuer (iss response parameter)');
    }
  }

  /** Cached discovery with a refresh schedule; a failed refresh keeps the last good metadata. */
  private async configuration(): Promise<Configuration> {
    const now = this.now();
    const current = this.discovered;
    if (current && now < current.refreshAt) return current.configuration;
    this.discovering ??= this.discover().finally(() => {
      this.discovering = undefined;
    });
    if (!current) return this.discovering;
    try {
      return await this.discovering;
    } catch (error) {
      current.refreshAt = now + (this.options.discoveryRetryMs ?? DEFAULT_DISCOVERY_RETRY_MS);
      this.options.onDiscoveryRefreshFailed?.(toOidcError(error, 'discovery-failed'));
      return current.configuration;
    }
  }

  /**
   * Fetches `<issuer>/.well-known/openid-configuration` and requires its issuer to be exactly the
   * configured one. The metadata URL is passed rather than the issuer because openid-client, for
   * login.microsoftonline.com, otherwise accepts a `{tenantid}` issuer and derives the expected
   * issuer from each token's own `tid`; here there is one comparison and it is exact.
   */
  private async discover(): Promise<Configuration> {
    const metadataUrl = new URL(`${this.connection.issuer}/.well-known/openid-configuration`);
    let configuration: Configuration;
    try {
      configuration = await discovery(
        metadataUrl,
        this.connection.clientId,
        { id_token_signed_response_alg: ID_TOKEN_SIGNING_ALGORITHM },
        this.clientAuthentication,
        { [customFetch]: this.guardedFetch },
      );
    } catch (error) {
      throw toOidcError(error, 'discovery-failed');
    }
    const { issuer } = configuration.serverMetadata();
    if (issuer !== this.connection.issuer) {
      throw new OidcError('issuer-mismatch', `the discovery document names issuer ${issuer}, not the configured issuer`);
    }
    // The id_token arrives over TLS from the token endpoint, which the spec deems enough; its signature is checked anyway.
    enableNonRepudiationChecks(configuration);
    this.discovered = { configuration, refreshAt: this.now() + (this.options.discoveryRefreshMs ?? DEFAULT_DISCOVERY_REFRESH_MS) };
    return configuration;
  }
}

function singleParameter(parameters: URLSearchParams, name: string): string | undefined {
  const values = parameters.getAll(name);
  if (values.length > 1) throw new OidcError('callback-invalid', `the callback repeats the "${name}" parameter`);
  return values[0];
}

function sameSecret(received: string | undefined, expected: string): boolean {
  if (received === undefined) return false;
  const receivedBytes = Buffer.from(received);
  const expectedBytes = Buffer.from(expected);
  return receivedBytes.length === expectedBytes.length && timingSafeEqual(receivedBytes, expectedBytes);
}

/** Maps openid-client's failures onto audit reasons; a refusal of the SSRF guard keeps its own. */
function toOidcError(error: unknown, fallback: OidcErrorReason): OidcError {
  if (error instanceof OidcError) return error;
  const guardRefusal = causes(error).find((cause): cause is OidcError => cause instanceof OidcError);
  if (guardRefusal) return guardRefusal;
  if (error instanceof ResponseBodyError) {
    return new OidcError('idp-error', `the IdP refused the token request (HTTP ${error.status})`, { cause: error, idpErrorCode: error.error });
  }
  if (error instanceof ClientError) {
    const detail = error.cause instanceof Error ? error.cause : undefined;
    const reason = reasonForClientError(error.code, detail?.cause) ?? fallback;
    return new OidcError(reason, detail ? `${error.message}: ${detail.message}` : error.message, { cause: error });
  }
  return new OidcError(fallback, error instanceof Error ? error.message : 'unexpected failure', { cause: error });
}

function reasonForClientError(code: string | undefined, detail: unknown): OidcErrorReason | undefined {
  const facts = typeof detail === 'object' && detail !== null ? detail : {};
  const claim = 'claim' in facts ? facts.claim : undefined;
  switch (code) {
    case 'OAUTH_JWT_CLAIM_COMPARISON_FAILED':
      if (claim === 'iss') return 'issuer-mismatch';
      if (claim === 'nonce') return 'nonce-mismatch';
      if (claim === 'aud' || claim === 'azp') return 'audience-mismatch';
      return undefined;
    case 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED':
      return claim === 'exp' ? 'expired' : undefined;
    case 'OAUTH_KEY_SELECTION_FAILED':
      return 'signature-invalid';
    case 'OAUTH_INVALID_RESPONSE':
      if ('signature' in facts) return 'signature-invalid';
      if ('header' in facts && 'expected' in facts) return 'alg-refused';
      return undefined;
    default:
      return undefined;
  }
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let cause = error; cause instanceof Error && chain.length < 10; cause = cause.cause) chain.push(cause.cause);
  return chain;
}
