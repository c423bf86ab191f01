import { createSign, randomBytes, randomUUID } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { issueCertificate } from '@veilig/platform-pki';
import { SignedXml } from 'xml-crypto';

/**
 * A stand-in for Microsoft Entra ID in tests: it writes SAML messages shaped like Entra's and
 * signs them for real (xml-crypto, RSA-SHA256, exclusive c14n, enveloped signature on the
 * Assertion). Every part can be altered, before or after signing, to build attacks.
 */

const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  xmldsig: 'http://www.w3.org/2000/09/xmldsig#',
} as const;
const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const EXCLUSIVE_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED_SIGNATURE = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const ALGORITHMS = {
  sha256: {
    signature: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    digest: 'http://www.w3.org/2001/04/xmlenc#sha256',
    node: 'RSA-SHA256',
  },
  sha1: {
    signature: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
    digest: 'http://www.w3.org/2000/09/xmldsig#sha1',
    node: 'RSA-SHA1',
  },
} as const;
const MINUTE_MS = 60_000;

export type TestSignatureAlgorithm = keyof typeof ALGORITHMS;

export interface TestKeyPair {
  readonly certPem: string;
  readonly keyPem: string;
}

/** The service provider the IdP answers, as registered in Entra. */
export interface TestServiceProvider {
  readonly entityId: string;
  readonly acsUrl: string;
  readonly sloUrl: string;
}

export interface TestAssertionOptions {
  readonly inResponseTo?: string | null;
  readonly assertionId?: string;
  readonly assertionIssuer?: string;
  readonly audience?: string;
  readonly recipient?: string;
  readonly nameId?: string;
  readonly nameIdFormat?: string;
  readonly attributes?: Readonly<Record<string, readonly string[]>>;
  readonly sessionIndex?: string;
  readonly issueInstant?: Date;
  /** Conditions NotBefore; default five minutes before issue, as Entra does. */
  readonly notBefore?: Date;
  /** Both Conditions and SubjectConfirmationData NotOnOrAfter. */
  readonly notOnOrAfter?: Date;
  /** False leaves the assertion unsigned. */
  readonly signAssertion?: boolean;
  readonly signatureAlgorithm?: TestSignatureAlgorithm;
  /** Signs with this key instead of the IdP's. */
  readonly signingKey?: TestKeyPair;
  /** Edits the assertion XML after it was signed (tampering, comment injection). */
  readonly alterSignedAssertion?: (assertionXml: string) => string;
}

export interface TestResponseOptions extends TestAssertionOptions {
  /** null leaves the attribute out. */
  readonly destination?: string | null;
  readonly responseIssuer?: string;
  readonly statusCode?: string;
  /** Signs the Response as well as the assertion (Entra's "Sign SAML response and assertion"). */
  readonly signResponse?: boolean;
  /** Replaces the assertion with this XML, e.g. a signature-wrapping construction. */
  readonly content?: string;
  /** Edits the complete Response XML last. */
  readonly alterResponse?: (responseXml: string) => string;
}

export interface TestLogoutResponseOptions {
  readonly inResponseTo?: string | null;
  readonly issuer?: string;
  readonly destination?: string;
  readonly statusCode?: string;
  readonly relayState?: string;
  /** false sends it unsigned, as Entra does. */
  readonly signatureAlgorithm?: TestSignatureAlgorithm | false;
  readonly signingKey?: TestKeyPair;
}

export class TestIdp {
  readonly entityId: string;
  readonly ssoUrl: string;

  private constructor(
    readonly tenantId: string,
    readonly signingKey: TestKeyPair,
    readonly sp: TestServiceProvider,
  ) {
    this.entityId = `https://sts.windows.net/${tenantId}/`;
    this.ssoUrl = `https://login.microsoftonline.com/${tenantId}/saml2`;
  }

  /** An Entra tenant with a fresh RSA signing key. */
  static async create(sp: TestServiceProvider, tenantId: string = randomUUID()): Promise<TestIdp> {
    return new TestIdp(tenantId, await newSigningKey(), sp);
  }

  /** The same tenant after Entra rolled its signing key over. */
  async withNewSigningKey(): Promise<TestIdp> {
    return new TestIdp(this.tenantId, await newSigningKey(), this.sp);
  }

  /** The tenant's IdP as seen by another SP (another application registration). */
  forServiceProvider(sp: TestServiceProvider): TestIdp {
    return new TestIdp(this.tenantId, this.signingKey, sp);
  }

  /** An Assertion element, signed unless told otherwise. */
  assertion(options: TestAssertionOptions = {}): string {
    const issuedAt = options.issueInstant ?? new Date();
    const notOnOrAfter = instant(options.notOnOrAfter ?? new Date(issuedAt.getTime() + 5 * MINUTE_MS));
    const inResponseTo = options.inResponseTo === null || options.inResponseTo === undefined ? '' : ` InResponseTo="${escape(options.inResponseTo)}"`;
    const attributes = Object.entries(options.attributes ?? {});
    const xml =
      `<Assertion ID="${escape(options.assertionId ?? newId())}" IssueInstant="${instant(issuedAt)}" Version="2.0" xmlns="${NS.assertion}">` +
      `<Issuer>${escape(options.assertionIssuer ?? this.entityId)}</Issuer>` +
      '<Subject>' +
      `<NameID Format="${escape(options.nameIdFormat ?? 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent')}">${escape(options.nameId ?? 'Uz2Pqz1X7pxe4XLWxV9KJQ')}</NameID>` +
      '<SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">' +
      `<SubjectConfirmationData${inResponseTo} NotOnOrAfter="${notOnOrAfter}" Recipient="${escape(options.recipient ?? this.sp.acsUrl)}"/>` +
      '</SubjectConfirmation>' +
      '</Subject>' +
      `<Conditions NotBefore="${instant(options.notBefore ?? new Date(issuedAt.getTime() - 5 * MINUTE_MS))}" NotOnOrAfter="${notOnOrAfter}">` +
      `<AudienceRestriction><Audience>${escape(options.audience ?? this.sp.entityId)}</Audience></AudienceRestriction>` +
      '</Conditions>' +
      (attributes.length === 0
        ? ''
        : '<AttributeStatement>' +
          attributes
            .map(([name, values]) => `<Attribute Name="${escape(name)}">${values.map((value) => `<AttributeValue>${escape(value)}</AttributeValue>`).join('')}</Attribute>`)
            .join('') +
          '</AttributeStatement>') +
      `<AuthnStatement AuthnInstant="${instant(issuedAt)}" SessionIndex="${escape(options.sessionIndex ?? newId())}">` +
      '<AuthnContext><AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</AuthnContextClassRef></AuthnContext>' +
      '</AuthnStatement>' +
      '</Assertion>';
    const signed = options.signAssertion === false ? xml : this.sign(xml, 'Assertion', options.signatureAlgorithm, options.signingKey);
    return options.alterSignedAssertion ? options.alterSignedAssertion(signed) : signed;
  }

  /** A samlp:Response as Entra POSTs it to the ACS. */
  response(options: TestResponseOptions = {}): string {
    const inResponseTo = options.inResponseTo === null || options.inResponseTo === undefined ? '' : ` InResponseTo="${escape(options.inResponseTo)}"`;
    const destination = options.destination === null ? '' : ` Destination="${escape(options.destination ?? this.sp.acsUrl)}"`;
    const xml =
      `<samlp:Response ID="${newId()}" Version="2.0" IssueInstant="${instant(options.issueInstant ?? new Date())}"${destination}${inResponseTo} xmlns:samlp="${NS.protocol}">` +
      `<Issuer xmlns="${NS.assertion}">${escape(options.responseIssuer ?? this.entityId)}</Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="${escape(options.statusCode ?? STATUS_SUCCESS)}"/></samlp:Status>` +
      (options.content ?? this.assertion(options)) +
      '</samlp:Response>';
    const signed = options.signResponse ? this.sign(xml, 'Response', options.signatureAlgorithm, options.signingKey) : xml;
    return options.alterResponse ? options.alterResponse(signed) : signed;
  }

  /** The query string of Entra's redirect back to the SP's logout URL. */
  logoutResponseQuery(options: TestLogoutResponseOptions = {}): string {
    const inResponseTo = options.inResponseTo === null || options.inResponseTo === undefined ? '' : ` InResponseTo="${escape(options.inResponseTo)}"`;
    const xml =
      `<samlp:LogoutResponse ID="${newId()}" Version="2.0" IssueInstant="${instant(new Date())}" Destination="${escape(options.destination ?? this.sp.sloUrl)}"${inResponseTo} xmlns:samlp="${NS.protocol}">` +
      `<Issuer xmlns="${NS.assertion}">${escape(options.issuer ?? this.entityId)}</Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="${escape(options.statusCode ?? STATUS_SUCCESS)}"/></samlp:Status>` +
      '</samlp:LogoutResponse>';
    let query = `SAMLResponse=${encodeURIComponent(deflateRawSync(xml).toString('base64'))}`;
    if (options.relayState !== undefined) query += `&RelayState=${encodeURIComponent(options.relayState)}`;
    const algorithm = options.signatureAlgorithm ?? false;
    if (algorithm === false) return query;
    query += `&SigAlg=${encodeURIComponent(ALGORITHMS[algorithm].signature)}`;
    const signature = createSign(ALGORITHMS[algorithm].node)
      .update(query)
      .sign((options.signingKey ?? this.signingKey).keyPem, 'base64');
    return `${query}&Signature=${encodeURIComponent(signature)}`;
  }

  /**
   * The tenant's federationmetadata.xml in Entra's shape: a signed EntityDescriptor with WS-Fed
   * RoleDescriptors before the IDPSSODescriptor, and one signing KeyDescriptor per certificate.
   */
  federationMetadataXml(signingCertsPem: readonly string[] = [this.signingKey.certPem]): string {
    const keyDescriptors = signingCertsPem
      .map((pem) => `<KeyDescriptor use="signing"><KeyInfo xmlns="${NS.xmldsig}"><X509Data><X509Certificate>${bareCertificate(pem)}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>`)
      .join('');
    const wsFed = 'http://docs.oasis-open.org/wsfed/federation/200706';
    const xml =
      `<EntityDescriptor ID="${newId()}" entityID="${this.entityId}" xmlns="${NS.metadata}">` +
      `<RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="${wsFed}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="${wsFed}">` +
      keyDescriptors +
      '<fed:ClaimTypesOffered>' +
      '<auth:ClaimType Uri="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name" xmlns:auth="http://docs.oasis-open.org/wsfed/authorization/200706">' +
      '<auth:DisplayName>Name</auth:DisplayName><auth:Description>The mutable display name of the user.</auth:Description></auth:ClaimType>' +
      '</fed:ClaimTypesOffered>' +
      '<fed:PassiveRequestorEndpoint><wsa:EndpointReference xmlns:wsa="http://www.w3.org/2005/08/addressing">' +
      `<wsa:Address>https://login.microsoftonline.com/${this.tenantId}/wsfed</wsa:Address></wsa:EndpointReference></fed:PassiveRequestorEndpoint>` +
      '</RoleDescriptor>' +
      `<IDPSSODescriptor protocolSupportEnumeration="${NS.protocol}">` +
      keyDescriptors +
      `<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${this.ssoUrl}"/>` +
      `<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${this.ssoUrl}"/>` +
      `<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${this.ssoUrl}"/>` +
      '</IDPSSODescriptor>' +
      '</EntityDescriptor>';
    return `<?xml version="1.0" encoding="utf-8"?>${this.sign(xml, 'EntityDescriptor', 'sha256', undefined, 'before-first-child')}`;
  }

  private sign(
    xml: string,
    rootName: string,
    algorithm: TestSignatureAlgorithm = 'sha256',
    key: TestKeyPair = this.signingKey,
    placement: 'after-issuer' | 'before-first-child' = 'after-issuer',
  ): string {
    const root = `/*[local-name(.)='${rootName}']`;
    const signer = new SignedXml({
      privateKey: key.keyPem,
      publicCert: key.certPem,
      signatureAlgorithm: ALGORITHMS[algorithm].signature,
      canonicalizationAlgorithm: EXCLUSIVE_C14N,
    });
    signer.addReference({ xpath: root, transforms: [ENVELOPED_SIGNATURE, EXCLUSIVE_C14N], digestAlgorithm: ALGORITHMS[algorithm].digest });
    // The SAML schema puts ds:Signature right after the Issuer.
    signer.computeSignature(xml, {
      location:
        placement === 'after-issuer'
          ? { reference: `${root}/*[local-name(.)='Issuer']`, action: 'after' }
          : { reference: root, action: 'prepend' },
    });
    return signer.getSignedXml();
  }
}

/** Base64 of a message, as the HTTP-POST binding carries it. */
export function base64(xml: string): string {
  return Buffer.from(xml, 'utf8').toString('base64');
}

async function newSigningKey(): Promise<TestKeyPair> {
  const { certPem, keyPem } = await issueCertificate({ subject: 'CN=Microsoft Azure Federated SSO Certificate', key: 'rsa-2048' });
  return { certPem, keyPem };
}

function bareCertificate(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

/** Entra writes seven fractional digits. */
function instant(date: Date): string {
  return date.toISOString().replace('Z', '0000Z');
}

function newId(): string {
  return `_${randomBytes(16).toString('hex')}`;
}

function escape(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
