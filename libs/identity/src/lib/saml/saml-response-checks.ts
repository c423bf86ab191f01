import type { Element } from '@xmldom/xmldom';
import type { ResolvedSamlConnection } from './saml-connection.js';
import { SamlError } from './saml-error.js';
import {
  SAML_NAMESPACES,
  attribute,
  childElements,
  elementsNamedAnywhere,
  requiredChild,
  singleChild,
  textOf,
} from './untrusted-xml.js';

/**
 * Checks node-saml does not make, or makes in a form that is easy to weaken by configuration.
 * They only ever refuse: running them on unverified XML before the signature check gives a
 * precise audit reason, and running them again on the signed assertion makes sure what is mapped
 * into an identity is what was checked.
 */

const { protocol, assertion: assertionNs } = SAML_NAMESPACES;
const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

const EXCLUSIVE_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
/** What Entra uses; anything else widens what a signature can be made to cover. */
const ALLOWED_ALGORITHMS: Readonly<Record<string, ReadonlySet<string>>> = {
  SignatureMethod: new Set(['http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512']),
  DigestMethod: new Set(['http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2001/04/xmlenc#sha512']),
  CanonicalizationMethod: new Set([EXCLUSIVE_C14N]),
  Transform: new Set(['http://www.w3.org/2000/09/xmldsig#enveloped-signature', EXCLUSIVE_C14N]),
};

export interface ResponseEnvelope {
  readonly inResponseTo: string;
  readonly assertion: Element;
}

/** The Response around the assertion: who sent it, to where, in answer to what, and that it holds exactly one assertion. */
export function checkResponseEnvelope(response: Element, connection: ResolvedSamlConnection, nowMs: number): ResponseEnvelope {
  if (response.namespaceURI !== protocol || response.localName !== 'Response') {
    throw new SamlError('malformed', `root element is ${response.localName}, not a SAML 2.0 Response`);
  }
  if (attribute(response, 'Version') !== '2.0') throw new SamlError('malformed', 'Response is not SAML 2.0');
  checkIssueInstant(response, connection, nowMs);
  // Counted by local name in any namespace, because node-saml selects assertions that way: a decoy in another namespace must count.
  const assertions = elementsNamedAnywhere(response, 'Assertion');
  if (elementsNamedAnywhere(response, 'EncryptedAssertion').length > 0) {
    throw new SamlError('malformed', 'encrypted assertions are not configured for this connection');
  }
  if (assertions.length > 1) throw new SamlError('multiple-assertions', `Response holds ${assertions.length} Assertion elements`);
  const assertion = assertions[0];
  if (!assertion || assertion.parentNode !== response || assertion.namespaceURI !== assertionNs) {
    throw new SamlError('malformed', 'Response has no SAML 2.0 Assertion as a direct child');
  }
  checkSignatureAlgorithms(response);
  checkIssuer(response, connection, 'Response');
  const destination = attribute(response, 'Destination');
  if (destination !== connection.acsUrl) {
    throw new SamlError('destination-mismatch', `Destination "${destination ?? ''}" is not the ACS URL ${connection.acsUrl}`);
  }
  checkStatus(response);
  const inResponseTo = attribute(response, 'InResponseTo');
  if (!inResponseTo) throw new SamlError('unsolicited', 'Response answers no AuthnRequest (IdP-initiated sign-in is not accepted)');
  return { inResponseTo, assertion };
}

export function checkStatus(message: Element): void {
  const statusCode = requiredChild(requiredChild(message, protocol, 'Status'), protocol, 'StatusCode');
  const value = attribute(statusCode, 'Value');
  if (value !== STATUS_SUCCESS) throw new SamlError('status-not-success', `${message.localName} status is ${value ?? 'missing'}`);
}

export function checkIssuer(element: Element, connection: ResolvedSamlConnection, what: string): void {
  const issuer = singleChild(element, assertionNs, 'Issuer');
  const value = issuer ? textOf(issuer) : undefined;
  if (value !== connection.idpEntityId) {
    throw new SamlError('issuer-mismatch', `${what} Issuer "${value ?? ''}" is not ${connection.idpEntityId}`);
  }
}

/** SHA-1 gets its own reason: it is the downgrade an intake asks about. */
function checkSignatureAlgorithms(root: Element): void {
  for (const [elementName, allowed] of Object.entries(ALLOWED_ALGORITHMS)) {
    for (const element of elementsNamedAnywhere(root, elementName)) {
      const algorithm = attribute(element, 'Algorithm') ?? '';
      if (isSha1(algorithm)) throw new SamlError('sha1-refused', `${elementName} ${algorithm}`);
      if (!allowed.has(algorithm)) throw new SamlError('algorithm-refused', `${elementName} "${algorithm}" is not allowed`);
    }
  }
}

export function isSha1(algorithmUri: string): boolean {
  return /(?:^|[#-])sha1$/i.test(algorithmUri);
}

export interface AssertionFacts {
  readonly assertionId: string;
  /** The last moment the assertion could still be accepted, skew included: how long a replay cache must remember it. */
  readonly acceptableUntil: Date;
}

/** The assertion itself: issuer, audience, bearer confirmation to our ACS for our request, validity window. */
export function checkAssertion(
  assertion: Element,
  connection: ResolvedSamlConnection,
  inResponseTo: string,
  nowMs: number,
): AssertionFacts {
  if (assertion.namespaceURI !== assertionNs || assertion.localName !== 'Assertion') {
    throw new SamlError('malformed', `${assertion.localName} is not a SAML 2.0 Assertion`);
  }
  const assertionId = attribute(assertion, 'ID');
  if (!assertionId) throw new SamlError('malformed', 'Assertion has no ID');
  if (attribute(assertion, 'Version') !== '2.0') throw new SamlError('malformed', 'Assertion is not SAML 2.0');
  checkIssuer(assertion, connection, 'Assertion');
  const issuedAtMs = checkIssueInstant(assertion, connection, nowMs);
  if (connection.maxAssertionAgeMs !== undefined && nowMs - connection.clockSkewMs >= issuedAtMs + connection.maxAssertionAgeMs) {
    throw new SamlError('expired', `Assertion was issued more than ${connection.maxAssertionAgeMs} ms ago`);
  }
  const confirmationUntilMs = checkBearerConfirmation(assertion, connection, inResponseTo, nowMs);
  const conditionsUntilMs = checkConditions(assertion, connection, nowMs);
  return { assertionId, acceptableUntil: new Date(Math.max(confirmationUntilMs, conditionsUntilMs) + connection.clockSkewMs) };
}

function checkBearerConfirmation(assertion: Element, connection: ResolvedSamlConnection, inResponseTo: string, nowMs: number): number {
  const subject = requiredChild(assertion, assertionNs, 'Subject');
  const confirmations = childElements(subject, assertionNs, 'SubjectConfirmation');
  if (confirmations.length !== 1) throw new SamlError('malformed', `Subject has ${confirmations.length} SubjectConfirmation elements, expected 1`);
  const confirmation = confirmations[0]!;
  if (attribute(confirmation, 'Method') !== BEARER) throw new SamlError('malformed', 'SubjectConfirmation is not bearer');
  const data = requiredChild(confirmation, assertionNs, 'SubjectConfirmationData');
  const recipient = attribute(data, 'Recipient');
  if (recipient !== connection.acsUrl) {
    throw new SamlError('recipient-mismatch', `Recipient "${recipient ?? ''}" is not the ACS URL ${connection.acsUrl}`);
  }
  // The Response's InResponseTo is outside the signature when only the assertion is signed; this copy is inside it.
  const confirmedInResponseTo = attribute(data, 'InResponseTo');
  if (confirmedInResponseTo !== inResponseTo) {
    throw new SamlError('in-response-to-mismatch', `SubjectConfirmationData answers "${confirmedInResponseTo ?? ''}", the Response "${inResponseTo}"`);
  }
  return checkWindow(data, connection, nowMs, 'SubjectConfirmationData');
}

function checkConditions(assertion: Element, connection: ResolvedSamlConnection, nowMs: number): number {
  const conditions = requiredChild(assertion, assertionNs, 'Conditions');
  const untilMs = checkWindow(conditions, connection, nowMs, 'Conditions');
  const restrictions = childElements(conditions, assertionNs, 'AudienceRestriction');
  if (restrictions.length === 0) throw new SamlError('audience-mismatch', 'Conditions restrict no audience');
  // Each AudienceRestriction must be satisfied on its own (SAML core 2.5.1.4).
  for (const restriction of restrictions) {
    const audiences = childElements(restriction, assertionNs, 'Audience').map(textOf);
    if (!audiences.includes(connection.spEntityId)) {
      throw new SamlError('audience-mismatch', `audience ${JSON.stringify(audiences)} does not include ${connection.spEntityId}`);
    }
  }
  return untilMs;
}

/** NotBefore is optional, NotOnOrAfter required: without it an assertion would be valid forever. */
function checkWindow(element: Element, connection: ResolvedSamlConnection, nowMs: number, what: string): number {
  const notBefore = attribute(element, 'NotBefore');
  const notOnOrAfter = attribute(element, 'NotOnOrAfter');
  if (notOnOrAfter === undefined) throw new SamlError('malformed', `${what} has no NotOnOrAfter`);
  if (notBefore !== undefined && nowMs + connection.clockSkewMs < parseInstant(notBefore, `${what} NotBefore`)) {
    throw new SamlError('not-yet-valid', `${what} NotBefore ${notBefore}`);
  }
  const notOnOrAfterMs = parseInstant(notOnOrAfter, `${what} NotOnOrAfter`);
  if (nowMs - connection.clockSkewMs >= notOnOrAfterMs) throw new SamlError('expired', `${what} NotOnOrAfter ${notOnOrAfter}`);
  return notOnOrAfterMs;
}

function checkIssueInstant(element: Element, connection: ResolvedSamlConnection, nowMs: number): number {
  const issueInstant = attribute(element, 'IssueInstant');
  if (issueInstant === undefined) throw new SamlError('malformed', `${element.localName} has no IssueInstant`);
  const issuedAtMs = parseInstant(issueInstant, `${element.localName} IssueInstant`);
  if (issuedAtMs > nowMs + connection.clockSkewMs) throw new SamlError('not-yet-valid', `${element.localName} issued in the future: ${issueInstant}`);
  return issuedAtMs;
}

/** xs:dateTime in UTC, as SAML requires; Entra writes seven fractional digits. */
export function parseInstant(value: string, what: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new SamlError('malformed', `${what} "${value}" is not a UTC instant`);
  return ms;
}
