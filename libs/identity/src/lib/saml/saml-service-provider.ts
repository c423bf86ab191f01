import { randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { SAML, SamlStatusError, ValidateInResponseTo, type CacheItem, type CacheProvider, type Profile } from '@node-saml/node-saml';
import type { Element } from '@xmldom/xmldom';
import { identityFromAssertion, type SamlFederatedIdentity } from './entra-claims.js';
import { resolveSamlConnection, type ResolvedSamlConnection, type SamlConnection } from './saml-connection.js';
import { SamlError, type SamlErrorReason } from './saml-error.js';
import {
  checkAssertion,
  checkIssuer,
  checkResponseEnvelope,
  checkStatus,
  isSha1,
  parseInstant,
} from './saml-response-checks.js';
import type { AssertionReplayStore, SamlRequestStore } from './saml-stores.js';
import { SAML_NAMESPACES, attribute, decodeBase64, decodeUtf8, parseUntrustedXml } from './untrusted-xml.js';

const MAX_RESPONSE_BYTES = 256 * 1024;
/** A LogoutResponse is a few hundred bytes; the bound is on the inflated XML, so a deflate bomb stops here. */
const MAX_LOGOUT_RESPONSE_BYTES = 64 * 1024;
const MAX_LOGOUT_QUERY_CHARS = 16 * 1024;
/** SAML bindings 3.4.3: RelayState MUST NOT exceed 80 bytes. */
const MAX_RELAY_STATE_BYTES = 80;
/** Long enough for a sign-in with MFA and a Conditional Access prompt, short enough that a leaked request id soon goes stale. */
const REQUEST_LIFETIME_MS = 10 * 60_000;
const UNSPECIFIED_NAME_ID_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';
const REDIRECT_SIGNATURE_ALGORITHMS = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
]);

export interface SamlServiceProviderDependencies {
  readonly requestStore: SamlRequestStore;
  readonly replayStore: AssertionReplayStore;
}

/** Where to send the browser, and the id of the request it carries (already saved in the request store). */
export interface SamlRedirect {
  readonly url: string;
  readonly requestId: string;
}

/** The HTTP-POST binding's form fields, as the ACS received them. */
export interface SamlPostBody {
  readonly SAMLResponse: string;
  readonly RelayState?: string;
}

/** What single logout needs from the sign-in; keep these in the session. */
export type SamlLogoutSubject = Pick<SamlFederatedIdentity, 'nameId' | 'nameIdFormat' | 'idpSessionId'>;

/**
 * The SAML 2.0 service provider of one tenant's connection (SE-7.1): SP-initiated sign-in and
 * single logout with Microsoft Entra ID.
 *
 * The protocol engine is `SAML` from @node-saml/node-saml, the same engine @node-saml/passport-saml
 * wraps; it is used directly because the HTTP layer is the caller's. Around it sit checks that make
 * the service provider stricter than the library (SE-7.2: no forged or misdirected sign-in gets
 * through): hostile input is refused before any parser sees it, issuer, destination, recipient and
 * request binding are checked, SHA-1 is refused, assertions are single use, and claims are read
 * only from the XML the signature covers.
 */
export class SamlServiceProvider {
  private readonly connection: ResolvedSamlConnection;

  constructor(
    connection: SamlConnection,
    private readonly dependencies: SamlServiceProviderDependencies,
  ) {
    this.connection = resolveSamlConnection(connection);
  }

  /** A signed AuthnRequest in the HTTP-Redirect binding. */
  async createLoginRedirect({ relayState }: { relayState: string }): Promise<SamlRedirect> {
    checkOutgoingRelayState(relayState);
    const requestId = newRequestId();
    const url = await this.engine(this.requestCache(), requestId).getAuthorizeUrlAsync(relayState, undefined, {});
    return { url, requestId };
  }

  /** Validates what the IdP POSTed to the ACS; throws {@link SamlError} for anything it does not accept. */
  async validatePostResponse(body: SamlPostBody): Promise<SamlFederatedIdentity> {
    if (typeof body.SAMLResponse !== 'string') throw new SamlError('malformed', 'SAMLResponse is missing');
    if (body.RelayState !== undefined) checkIncomingRelayState(body.RelayState);
    const xml = decodeUtf8(decodeBase64(body.SAMLResponse, MAX_RESPONSE_BYTES));
    const envelope = checkResponseEnvelope(parseUntrustedXml(xml, MAX_RESPONSE_BYTES), this.connection, Date.now());
    checkAssertion(envelope.assertion, this.connection, envelope.inResponseTo, Date.now());

    const signedAssertion = await this.verifiedAssertion(xml);
    if (attribute(signedAssertion, 'ID') !== attribute(envelope.assertion, 'ID')) {
      throw new SamlError('signature-invalid', 'the signed assertion is not the assertion in the Response');
    }
    const facts = checkAssertion(signedAssertion, this.connection, envelope.inResponseTo, Date.now());
    if (!(await this.dependencies.replayStore.remember(facts.assertionId, this.connection.connectionId, facts.acceptableUntil))) {
      throw new SamlError('replayed', `assertion ${facts.assertionId} was accepted before`);
    }
    return identityFromAssertion(signedAssertion);
  }

  /** A signed LogoutRequest in the HTTP-Redirect binding, the only one Entra accepts for logout. End the local session first. */
  async createLogoutRedirect(subject: SamlLogoutSubject, { relayState = '' }: { relayState?: string } = {}): Promise<SamlRedirect> {
    if (!this.connection.idpSloUrl) throw new SamlError('configuration-invalid', 'the IdP has no SingleLogoutService');
    checkOutgoingRelayState(relayState);
    const requestId = newRequestId();
    const user: Profile = {
      issuer: this.connection.idpEntityId,
      nameID: subject.nameId,
      nameIDFormat: subject.nameIdFormat ?? UNSPECIFIED_NAME_ID_FORMAT,
      sessionIndex: subject.idpSessionId,
    };
    const url = await this.engine(this.requestCache(), requestId).getLogoutUrlAsync(user, relayState, {});
    return { url, requestId };
  }

  /**
   * Validates the LogoutResponse the IdP redirected back with; `rawQuery` is the query string as
   * received, because a redirect-binding signature covers the exact URL encoding.
   *
   * Entra does not sign its LogoutResponse, so an unsigned one is accepted; a signed one must
   * verify. That is safe because a LogoutResponse grants nothing: it must answer a LogoutRequest
   * of this connection, once, and the local session was ended before the redirect.
   */
  async validateLogoutResponse(rawQuery: string): Promise<void> {
    const query = rawQuery.startsWith('?') ? rawQuery.slice(1) : rawQuery;
    if (query.length > MAX_LOGOUT_QUERY_CHARS) throw new SamlError('too-large', `query of ${query.length} characters`);
    const parameters = singleValuedParameters(query);
    const encoded = parameters['SAMLResponse'];
    if (encoded === undefined || parameters['SAMLRequest'] !== undefined) throw new SamlError('malformed', 'query carries no LogoutResponse');
    if (parameters['RelayState'] !== undefined) checkIncomingRelayState(parameters['RelayState']);
    checkRedirectSignatureAlgorithm(parameters);
    const xml = decodeUtf8(inflate(decodeBase64(encoded, MAX_LOGOUT_RESPONSE_BYTES)));
    this.checkLogoutResponse(parseUntrustedXml(xml, MAX_LOGOUT_RESPONSE_BYTES));
    try {
      await this.engine(this.requestCache()).validateRedirectAsync(parameters, query);
    } catch (error) {
      throw refusalFromLibrary(error);
    }
  }

  private checkLogoutResponse(response: Element): void {
    if (response.namespaceURI !== SAML_NAMESPACES.protocol || response.localName !== 'LogoutResponse') {
      throw new SamlError('malformed', `root element is ${response.localName}, not a LogoutResponse`);
    }
    if (attribute(response, 'Version') !== '2.0') throw new SamlError('malformed', 'LogoutResponse is not SAML 2.0');
    const issueInstant = attribute(response, 'IssueInstant');
    if (issueInstant === undefined) throw new SamlError('malformed', 'LogoutResponse has no IssueInstant');
    if (parseInstant(issueInstant, 'LogoutResponse IssueInstant') > Date.now() + this.connection.clockSkewMs) {
      throw new SamlError('not-yet-valid', `LogoutResponse issued in the future: ${issueInstant}`);
    }
    checkIssuer(response, this.connection, 'LogoutResponse');
    const destination = attribute(response, 'Destination');
    if (destination !== undefined && destination !== this.connection.sloUrl) {
      throw new SamlError('destination-mismatch', `Destination "${destination}" is not the SLO URL ${this.connection.sloUrl}`);
    }
    checkStatus(response);
    if (!attribute(response, 'InResponseTo')) throw new SamlError('unsolicited', 'LogoutResponse answers no LogoutRequest');
  }

  /** node-saml verifies the signature and the request binding; what it hands back is the assertion exactly as signed. */
  private async verifiedAssertion(xml: string): Promise<Element> {
    let profile: Profile | null;
    try {
      ({ profile } = await this.engine(this.requestCache()).validatePostResponseAsync({
        SAMLResponse: Buffer.from(xml, 'utf8').toString('base64'),
      }));
    } catch (error) {
      throw refusalFromLibrary(error);
    }
    const signedXml = profile?.getAssertionXml?.();
    if (!signedXml) throw new SamlError('signature-invalid', 'no signed assertion');
    return parseUntrustedXml(signedXml, MAX_RESPONSE_BYTES);
  }

  /** A fresh cache per operation: its memory of taken ids must not outlive one validation. */
  private requestCache(): RequestStoreCache {
    return new RequestStoreCache(this.dependencies.requestStore, this.connection.connectionId);
  }

  private engine(requestCache: CacheProvider, requestId = newRequestId()): SAML {
    const connection = this.connection;
    return new SAML({
      entryPoint: connection.idpSsoUrl,
      logoutUrl: connection.idpSloUrl,
      issuer: connection.spEntityId,
      audience: connection.spEntityId,
      callbackUrl: connection.acsUrl,
      idpIssuer: connection.idpEntityId,
      idpCert: [...connection.idpSigningCertsPem],
      privateKey: connection.spSigningKeyPem,
      publicCert: connection.spSigningCertPem,
      signatureAlgorithm: 'sha256',
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: connection.wantAuthnResponseSigned,
      acceptedClockSkewMs: connection.clockSkewMs,
      maxAssertionAgeMs: connection.maxAssertionAgeMs ?? 0,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: REQUEST_LIFETIME_MS,
      cacheProvider: requestCache,
      // Entra then uses the NameID format configured for the app instead of node-saml's default e-mail format.
      identifierFormat: null,
      // node-saml would request PasswordProtectedTransport exactly; Entra refuses that after MFA or passwordless (AADSTS75011).
      disableRequestedAuthnContext: true,
      generateUniqueId: () => requestId,
    });
  }
}

/** node-saml's request-id cache, backed by the injected store and bound to one connection. */
class RequestStoreCache implements CacheProvider {
  private readonly taken = new Map<string, boolean>();

  constructor(
    private readonly store: SamlRequestStore,
    private readonly connectionId: string,
  ) {}

  async saveAsync(requestId: string, issueInstant: string): Promise<CacheItem> {
    await this.store.save(requestId, this.connectionId, new Date(Date.now() + REQUEST_LIFETIME_MS));
    return { value: issueInstant, createdAt: Date.now() };
  }

  /** node-saml looks the id up twice in one validation (Response, then SubjectConfirmationData); the store is asked once. */
  async getAsync(requestId: string): Promise<string | null> {
    let found = this.taken.get(requestId);
    if (found === undefined) {
      found = await this.store.take(requestId, this.connectionId);
      this.taken.set(requestId, found);
    }
    // node-saml reads the value as the request's issue instant and checks its age; the store already refused expired ids.
    return found ? new Date().toISOString() : null;
  }

  /** take() has already consumed the id. */
  async removeAsync(): Promise<string | null> {
    return null;
  }
}

/**
 * node-saml refuses with plain Errors; these are its messages as of 5.1. A message not listed
 * still refuses, only with the less precise reason 'malformed'.
 */
const LIBRARY_REFUSALS: readonly (readonly [RegExp, SamlErrorReason])[] = [
  [/InResponseTo is missing/, 'unsolicited'],
  [/InResponseTo is not valid/, 'in-response-to-unknown'],
  [/InResponseTo does not match/, 'in-response-to-mismatch'],
  [/multiple assertions/, 'multiple-assertions'],
  [/not yet valid/, 'not-yet-valid'],
  [/expired/, 'expired'],
  [/audience/i, 'audience-mismatch'],
  [/SAML issuer/, 'issuer-mismatch'],
  [/Bad status code/, 'status-not-success'],
  [/signature/i, 'signature-invalid'],
];

function refusalFromLibrary(error: unknown): SamlError {
  if (error instanceof SamlError) return error;
  if (error instanceof SamlStatusError) return new SamlError('status-not-success', error.message, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  const reason = LIBRARY_REFUSALS.find(([pattern]) => pattern.test(message))?.[1] ?? 'malformed';
  return new SamlError(reason, `node-saml: ${message}`, { cause: error });
}

function newRequestId(): string {
  // Entra requires an id that does not start with a digit.
  return `_${randomBytes(20).toString('hex')}`;
}

/**
 * node-saml signs the query it builds with querystring.stringify but returns it encoded by
 * URLSearchParams; the two differ for characters such as "~", "!", "(" and space, and the IdP
 * verifies the URL it received. An opaque handle in base64url never hits the difference.
 */
function checkOutgoingRelayState(relayState: string): void {
  if (typeof relayState !== 'string' || relayState.length > MAX_RELAY_STATE_BYTES || !/^[A-Za-z0-9._-]*$/.test(relayState)) {
    throw new SamlError('configuration-invalid', `RelayState must be at most ${MAX_RELAY_STATE_BYTES} base64url characters`);
  }
}

function checkIncomingRelayState(relayState: unknown): void {
  if (typeof relayState !== 'string' || Buffer.byteLength(relayState, 'utf8') > MAX_RELAY_STATE_BYTES) {
    throw new SamlError('malformed', `RelayState must be a string of at most ${MAX_RELAY_STATE_BYTES} bytes`);
  }
}

/** A parameter given twice would let the signature check and the message reader each pick a different one. */
function singleValuedParameters(query: string): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(query)) {
    if (Object.hasOwn(parameters, name)) throw new SamlError('malformed', `query parameter ${name} appears twice`);
    parameters[name] = value;
  }
  return parameters;
}

/** node-saml accepts any hash Node knows for a redirect-binding signature, SHA-1 included. */
function checkRedirectSignatureAlgorithm(parameters: Record<string, string>): void {
  const { SigAlg: algorithm, Signature: signature } = parameters;
  if ((algorithm === undefined) !== (signature === undefined)) throw new SamlError('signature-invalid', 'SigAlg and Signature must come together');
  if (algorithm === undefined) return;
  if (isSha1(algorithm)) throw new SamlError('sha1-refused', `SigAlg ${algorithm}`);
  if (!REDIRECT_SIGNATURE_ALGORITHMS.has(algorithm)) throw new SamlError('algorithm-refused', `SigAlg "${algorithm}" is not allowed`);
}

function inflate(deflated: Buffer): Buffer {
  try {
    return inflateRawSync(deflated, { maxOutputLength: MAX_LOGOUT_RESPONSE_BYTES });
  } catch (error) {
    const tooLarge = error instanceof RangeError || (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
    throw new SamlError(tooLarge ? 'too-large' : 'encoding-invalid', 'redirect-binding message does not inflate', { cause: error });
  }
}
