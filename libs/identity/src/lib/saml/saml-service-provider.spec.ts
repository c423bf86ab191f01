import { createVerify, randomUUID } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { issueCertificate } from '@veilig/platform-pki';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENTRA_SAML_CLAIMS } from '../federated-identity.js';
import type { SamlConnection } from './saml-connection.js';
import { SamlError, type SamlErrorReason } from './saml-error.js';
import { SamlServiceProvider } from './saml-service-provider.js';
import type { AssertionReplayStore, SamlRequestStore } from './saml-stores.js';
import { TestIdp, base64, type TestKeyPair, type TestResponseOptions, type TestServiceProvider } from './testing/test-idp.js';

class InMemoryRequestStore implements SamlRequestStore {
  private readonly requests = new Map<string, { connectionId: string; expiresAt: Date }>();

  async save(requestId: string, connectionId: string, expiresAt: Date): Promise<void> {
    this.requests.set(requestId, { connectionId, expiresAt });
  }

  async take(requestId: string, connectionId: string): Promise<boolean> {
    const request = this.requests.get(requestId);
    if (!request || request.connectionId !== connectionId) return false;
    this.requests.delete(requestId);
    return request.expiresAt.getTime() > Date.now();
  }

  has(requestId: string, connectionId: string): boolean {
    return this.requests.get(requestId)?.connectionId === connectionId;
  }
}

class InMemoryReplayStore implements AssertionReplayStore {
  readonly remembered = new Map<string, Date>();

  async remember(assertionId: string, connectionId: string, notOnOrAfter: Date): Promise<boolean> {
    const key = `${connectionId}/${assertionId}`;
    if (this.remembered.has(key)) return false;
    this.remembered.set(key, notOnOrAfter);
    return true;
  }
}

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const OBJECT_ID = 'b4a1c0de-5ca1-4e55-9a1d-0123456789ab';

const ENTRA_CLAIMS = {
  [ENTRA_SAML_CLAIMS.objectId]: [OBJECT_ID],
  [ENTRA_SAML_CLAIMS.givenName]: ['Fenna'],
  [ENTRA_SAML_CLAIMS.surname]: ['de Vries'],
  [ENTRA_SAML_CLAIMS.email]: ['f.devries@gemeente.example'],
  [ENTRA_SAML_CLAIMS.name]: ['f.devries@gemeente.example'],
  [ENTRA_SAML_CLAIMS.displayName]: ['Fenna de Vries'],
  [ENTRA_SAML_CLAIMS.department]: ['Burgerzaken'],
  [ENTRA_SAML_CLAIMS.groups]: ['5e7d6c1b-0000-4000-8000-000000000001', '5e7d6c1b-0000-4000-8000-000000000002'],
  [ENTRA_SAML_CLAIMS.roles]: ['Medewerker', 'Beheerder'],
  [ENTRA_SAML_CLAIMS.deviceId]: ['d3v1c3-1d'],
} as const;

function serviceProviderAt(host: string, entityId = `spn:${randomUUID()}`): TestServiceProvider {
  return { entityId, acsUrl: `https://${host}/auth/saml/acs`, sloUrl: `https://${host}/auth/saml/logout` };
}

let spKey: TestKeyPair;
let otherKey: TestKeyPair;
let idp: TestIdp;

beforeAll(async () => {
  idp = await TestIdp.create(serviceProviderAt('gemeente-a.veilig.example'));
  otherKey = (await idp.withNewSigningKey()).signingKey;
  const { certPem, keyPem } = await issueCertificate({ subject: 'CN=veilig SAML signing', key: 'rsa-2048' });
  spKey = { certPem, keyPem };
});

function connectionFor(identityProvider: TestIdp, overrides: Partial<SamlConnection> = {}): SamlConnection {
  return {
    connectionId: randomUUID(),
    spEntityId: identityProvider.sp.entityId,
    acsUrl: identityProvider.sp.acsUrl,
    sloUrl: identityProvider.sp.sloUrl,
    idpEntityId: identityProvider.entityId,
    idpSsoUrl: identityProvider.ssoUrl,
    idpSloUrl: identityProvider.ssoUrl,
    idpSigningCertsPem: [identityProvider.signingKey.certPem],
    spSigningKeyPem: spKey.keyPem,
    spSigningCertPem: spKey.certPem,
    ...overrides,
  };
}

function serviceProvider(overrides: Partial<SamlConnection> = {}, identityProvider = idp) {
  const requestStore = new InMemoryRequestStore();
  const replayStore = new InMemoryReplayStore();
  const connection = connectionFor(identityProvider, overrides);
  const provider = new SamlServiceProvider(connection, { requestStore, replayStore });
  /** Starts a sign-in and has the IdP answer it with a Response built from `options`. */
  const respond = async (options: TestResponseOptions = {}) => {
    const { requestId } = await provider.createLoginRedirect({ relayState: 'state-1' });
    return { requestId, body: { SAMLResponse: base64(identityProvider.response({ inResponseTo: requestId, ...options })) } };
  };
  const signIn = async (options: TestResponseOptions = {}) => provider.validatePostResponse((await respond(options)).body);
  return { provider, connection, requestStore, replayStore, respond, signIn };
}

/** The reason of the SamlError the promise rejects with; fails the test when it resolves or throws anything else. */
async function refusal(promise: Promise<unknown>): Promise<SamlErrorReason> {
  const outcome = await promise.then(
    (value: unknown) => ({ resolved: value }),
    (error: unknown) => ({ rejected: error }),
  );
  if (!('rejected' in outcome)) throw new Error(`expected a SamlError, but it resolved to ${JSON.stringify(outcome.resolved)}`);
  expect(outcome.rejected).toBeInstanceOf(SamlError);
  return (outcome.rejected as SamlError).reason;
}

function parse(xml: string): Element {
  return new DOMParser().parseFromString(xml, 'text/xml').documentElement!;
}

function rawParameter(url: string, name: string): string | undefined {
  return url
    .split('?')[1]!
    .split('&')
    .find((token) => token.startsWith(`${name}=`));
}

/** Verifies an HTTP-Redirect binding signature over the parameters exactly as they appear in the URL. */
function redirectSignatureVerifies(url: string, messageParameter: 'SAMLRequest' | 'SAMLResponse', certPem: string): boolean {
  const signed = [rawParameter(url, messageParameter), rawParameter(url, 'RelayState'), rawParameter(url, 'SigAlg')].filter(Boolean).join('&');
  const signature = decodeURIComponent(rawParameter(url, 'Signature')!.slice('Signature='.length));
  return createVerify('RSA-SHA256').update(signed).verify(certPem, signature, 'base64');
}

function redirectMessage(url: string, parameter: 'SAMLRequest'): Element {
  return parse(inflateRawSync(Buffer.from(new URL(url).searchParams.get(parameter)!, 'base64')).toString('utf8'));
}

describe('SamlServiceProvider sign-in', () => {
  it('[SE-7.1] sends a signed AuthnRequest over HTTP-Redirect and remembers its id for this connection only', async () => {
    const { provider, connection, requestStore } = serviceProvider();
    const { url, requestId } = await provider.createLoginRedirect({ relayState: 'opaque-state_1' });

    expect(url.startsWith(`${idp.ssoUrl}?`)).toBe(true);
    expect(new URL(url).searchParams.get('SigAlg')).toBe(RSA_SHA256);
    expect(new URL(url).searchParams.get('RelayState')).toBe('opaque-state_1');
    expect(redirectSignatureVerifies(url, 'SAMLRequest', spKey.certPem)).toBe(true);
    expect(redirectSignatureVerifies(url, 'SAMLRequest', otherKey.certPem)).toBe(false);
    const request = redirectMessage(url, 'SAMLRequest');
    expect(request.localName).toBe('AuthnRequest');
    expect(request.getAttribute('ID')).toBe(requestId);
    expect(request.getAttribute('Destination')).toBe(idp.ssoUrl);
    expect(request.getAttribute('AssertionConsumerServiceURL')).toBe(connection.acsUrl);
    expect(request.getElementsByTagNameNS(SAML, 'Issuer')[0]!.textContent).toBe(connection.spEntityId);
    // Requesting PasswordProtectedTransport would make Entra refuse users who signed in with MFA or passwordless.
    expect(request.getElementsByTagNameNS(SAMLP, 'RequestedAuthnContext')).toHaveLength(0);
    expect(requestStore.has(requestId, connection.connectionId)).toBe(true);
  });

  it('[SE-7.1] refuses a RelayState that the redirect signature would not cover as sent', async () => {
    const { provider } = serviceProvider();
    expect(await refusal(provider.createLoginRedirect({ relayState: 'a b~c' }))).toBe('configuration-invalid');
    expect(await refusal(provider.createLoginRedirect({ relayState: 'x'.repeat(81) }))).toBe('configuration-invalid');
  });

  it('[SE-7.1] [SV-4] accepts a signed Entra-style assertion answering its own request and maps all claims', async () => {
    const { signIn, replayStore } = serviceProvider();
    const identity = await signIn({ attributes: ENTRA_CLAIMS, nameId: 'f.devries@gemeente.example', sessionIndex: '_session-42' });

    expect(identity).toEqual({
      protocol: 'saml',
      subject: OBJECT_ID,
      entraObjectId: OBJECT_ID,
      entraTenantId: undefined,
      givenName: 'Fenna',
      surname: 'de Vries',
      email: 'f.devries@gemeente.example',
      displayName: 'Fenna de Vries',
      department: 'Burgerzaken',
      groups: ['5e7d6c1b-0000-4000-8000-000000000001', '5e7d6c1b-0000-4000-8000-000000000002'],
      roles: ['Medewerker', 'Beheerder'],
      deviceId: 'd3v1c3-1d',
      idpSessionId: '_session-42',
      nameId: 'f.devries@gemeente.example',
      nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    });
    expect(replayStore.remembered.size).toBe(1);
  });

  it('[SV-4] maps the tenant id and leaves missing attributes undefined, groups and roles empty', async () => {
    const { signIn } = serviceProvider();
    const identity = await signIn({ attributes: { [ENTRA_SAML_CLAIMS.tenantId]: [idp.tenantId] }, nameId: 'persistent-name-id' });

    expect(identity).toMatchObject({
      subject: 'persistent-name-id',
      entraObjectId: undefined,
      entraTenantId: idp.tenantId,
      givenName: undefined,
      surname: undefined,
      email: undefined,
      department: undefined,
      groups: [],
      roles: [],
    });
  });

  it('[SV-4] refuses an assertion with two object ids, since the user key would be a guess', async () => {
    const { signIn } = serviceProvider();
    expect(await refusal(signIn({ attributes: { [ENTRA_SAML_CLAIMS.objectId]: [OBJECT_ID, randomUUID()] } }))).toBe('malformed');
  });
});

describe('SamlServiceProvider signatures', () => {
  it('[SE-7.2] refuses an unsigned assertion', async () => {
    const { signIn } = serviceProvider();
    expect(await refusal(signIn({ signAssertion: false, attributes: ENTRA_CLAIMS }))).toBe('signature-invalid');
  });

  it('[SE-7.2] refuses an assertion signed by another key, even with that key\'s certificate in KeyInfo', async () => {
    const { signIn } = serviceProvider();
    expect(await refusal(signIn({ signingKey: otherKey, attributes: ENTRA_CLAIMS }))).toBe('signature-invalid');
  });

  it('[SE-7.2] refuses an assertion whose attribute was changed after signing', async () => {
    const { signIn } = serviceProvider();
    const addAdminRole = (xml: string) => xml.replace('<AttributeValue>Medewerker</AttributeValue>', '<AttributeValue>GlobalAdmin</AttributeValue>');
    expect(await refusal(signIn({ attributes: ENTRA_CLAIMS, alterSignedAssertion: addAdminRole }))).toBe('signature-invalid');
  });

  it('[SE-7.2] refuses an RSA-SHA1 signature with a SHA-1 digest', async () => {
    const { signIn } = serviceProvider();
    expect(await refusal(signIn({ signatureAlgorithm: 'sha1', attributes: ENTRA_CLAIMS }))).toBe('sha1-refused');
  });

  it('[SE-7.1] accepts assertions signed by either certificate while Entra rolls its signing key over', async () => {
    const nextIdp = await idp.withNewSigningKey();
    const rollover = serviceProvider({ idpSigningCertsPem: [idp.signingKey.certPem, nextIdp.signingKey.certPem] });

    expect((await rollover.signIn({ signingKey: nextIdp.signingKey, attributes: ENTRA_CLAIMS })).subject).toBe(OBJECT_ID);
    expect((await rollover.signIn({ attributes: ENTRA_CLAIMS })).subject).toBe(OBJECT_ID);
    expect(await refusal(serviceProvider().signIn({ signingKey: nextIdp.signingKey }))).toBe('signature-invalid');
  });

  it('[SE-7.2] requires a signed Response as well when the connection asks for it', async () => {
    const { signIn } = serviceProvider({ wantAuthnResponseSigned: true });
    expect(await refusal(signIn({ attributes: ENTRA_CLAIMS }))).toBe('signature-invalid');
    expect((await signIn({ attributes: ENTRA_CLAIMS, signResponse: true })).subject).toBe(OBJECT_ID);
  });
});

describe('SamlServiceProvider XML signature wrapping', () => {
  const forged = (inResponseTo: string) =>
    idp.assertion({ inResponseTo, signAssertion: false, assertionId: '_forged', attributes: { [ENTRA_SAML_CLAIMS.objectId]: ['attacker-chosen-oid'] } });
  const genuine = (inResponseTo: string) => idp.assertion({ inResponseTo, attributes: ENTRA_CLAIMS });

  it('[SE-7.2] refuses the signed assertion hidden in samlp:Extensions with a forged one in its place', async () => {
    const { respond, provider } = serviceProvider();
    const { requestId } = await respond();
    const content = `<samlp:Extensions>${genuine(requestId)}</samlp:Extensions>${forged(requestId)}`;
    expect(await refusal(provider.validatePostResponse({ SAMLResponse: base64(idp.response({ inResponseTo: requestId, content })) }))).toBe(
      'multiple-assertions',
    );
  });

  it('[SE-7.2] refuses a forged assertion carrying the signed one inside its ds:Signature/ds:Object', async () => {
    const { respond, provider } = serviceProvider();
    const { requestId } = await respond();
    const signed = genuine(requestId);
    const signature = /<Signature[\s\S]*<\/Signature>/.exec(signed)![0];
    const wrapper = signature.replace('</Signature>', `<Object>${signed}</Object></Signature>`);
    const content = forged(requestId).replace('</Issuer>', `</Issuer>${wrapper}`);
    expect(await refusal(provider.validatePostResponse({ SAMLResponse: base64(idp.response({ inResponseTo: requestId, content })) }))).toBe(
      'multiple-assertions',
    );
  });

  it.each([
    ['before', (signed: string, evil: string) => evil + signed],
    ['after', (signed: string, evil: string) => signed + evil],
  ])('[SE-7.2] refuses a second, unsigned assertion %s the signed one', async (_position, arrange) => {
    const { respond, provider } = serviceProvider();
    const { requestId } = await respond();
    const content = arrange(genuine(requestId), forged(requestId));
    expect(await refusal(provider.validatePostResponse({ SAMLResponse: base64(idp.response({ inResponseTo: requestId, content })) }))).toBe(
      'multiple-assertions',
    );
  });

  it('[SE-7.2] refuses the signed assertion moved inside a forged one', async () => {
    const { respond, provider } = serviceProvider();
    const { requestId } = await respond();
    const content = forged(requestId).replace('<AuthnStatement', `<Advice>${genuine(requestId)}</Advice><AuthnStatement`);
    expect(await refusal(provider.validatePostResponse({ SAMLResponse: base64(idp.response({ inResponseTo: requestId, content })) }))).toBe(
      'multiple-assertions',
    );
  });

  it('[SE-7.2] refuses a decoy Assertion in a foreign namespace beside the signed one', async () => {
    const { respond, provider } = serviceProvider();
    const { requestId } = await respond();
    const decoy = forged(requestId).replace(`xmlns="${SAML}"`, 'xmlns="urn:example:not-saml"');
    const content = genuine(requestId) + decoy;
    expect(await refusal(provider.validatePostResponse({ SAMLResponse: base64(idp.response({ inResponseTo: requestId, content })) }))).toBe(
      'multiple-assertions',
    );
  });

  it('[SE-7.2] refuses a genuine signature moved onto a forged assertion', async () => {
    const { respond, provider } = serviceProvider();
    const { requestId } = await respond();
    const signed = genuine(requestId);
    const signature = /<Signature[\s\S]*<\/Signature>/.exec(signed)![0];
    const content = forged(requestId).replace('</Issuer>', `</Issuer>${signature}`);
    expect(await refusal(provider.validatePostResponse({ SAMLResponse: base64(idp.response({ inResponseTo: requestId, content })) }))).toBe(
      'signature-invalid',
    );
  });
});

describe('SamlServiceProvider comment injection', () => {
  const splitByComment = (xml: string) => xml.replace('admin@evil.example', 'admin<!---->@evil.example');

  it('[SE-7.2] reads a NameID split by a comment whole, never truncated at the comment', async () => {
    const { signIn } = serviceProvider();
    const identity = await signIn({ nameId: 'admin@evil.example', alterSignedAssertion: splitByComment });
    expect(identity.subject).toBe('admin@evil.example');
    expect(identity.nameId).toBe('admin@evil.example');
  });

  it('[SE-7.2] [SV-4] keys the user by the object id whatever the NameID says, and reads split attributes whole', async () => {
    const { signIn } = serviceProvider();
    const identity = await signIn({
      nameId: 'admin@evil.example',
      attributes: { ...ENTRA_CLAIMS, [ENTRA_SAML_CLAIMS.email]: ['admin@evil.example'] },
      alterSignedAssertion: (xml) => splitByComment(splitByComment(xml)),
    });
    expect(identity.subject).toBe(OBJECT_ID);
    expect(identity.email).toBe('admin@evil.example');
    expect(identity.nameId).toBe('admin@evil.example');
  });
});

describe('SamlServiceProvider audience, destination, recipient and issuer', () => {
  it('[SE-7.2] refuses an assertion for another audience', async () => {
    const { signIn } = serviceProvider();
    expect(await refusal(signIn({ audience: 'spn:00000000-0000-0000-0000-000000000000' }))).toBe('audience-mismatch');
  });

  it.each(['spn:3f2b8c1e-7d4a-4e6b-9c0d-1a2b3c4d5e6f', 'api://3f2b8c1e-7d4a-4e6b-9c0d-1a2b3c4d5e6f'])('[SE-7.1] accepts Entra application id URI %s as entity id and audience', async (entityId) => {
    const entraApp = idp.forServiceProvider(serviceProviderAt('gemeente-a.veilig.example', entityId));
    const { signIn, connection } = serviceProvider({}, entraApp);
    expect(connection.spEntityId).toBe(entityId);
    expect((await signIn({ attributes: ENTRA_CLAIMS })).subject).toBe(OBJECT_ID);
  });

  it('[SE-7.2] refuses a Response whose Destination is missing or another ACS', async () => {
    const { signIn } = serviceProvider();
    expect(await refusal(signIn({ destination: 'https://gemeente-b.veilig.example/auth/saml/acs' }))).toBe('destination-mismatch');
    expect(await refusal(signIn({ destination: null }))).toBe('destination-mismatch');
  });

  it('[SE-7.2] refuses a signed SubjectConfirmationData Recipient that is another ACS', async () => {
    const { signIn } = serviceProvider();
    expect(await refusal(signIn({ recipient: 'https://gemeente-b.veilig.example/auth/saml/acs' }))).toBe('recipient-mismatch');
  });

  it('[SE-7.2] refuses an Issuer other than the connection\'s IdP, on the Response or on the signed Assertion', async () => {
    const { signIn } = serviceProvider();
    const otherTenant = `https://sts.windows.net/${randomUUID()}/`;
    expect(await refusal(signIn({ responseIssuer: otherTenant }))).toBe('issuer-mismatch');
    expect(await refusal(signIn({ assertionIssuer: otherTenant }))).toBe('issuer-mismatch');
  });
});

describe('SamlServiceProvider validity window', () => {
  const SECOND = 1000;

  it('[SE-7.2] refuses an expired assertion, tolerating the configured clock skew', async () => {
    const { signIn } = serviceProvider({ clockSkewMs: 60 * SECOND });
    const issueInstant = new Date(Date.now() - 10 * 60 * SECOND);
    expect((await signIn({ issueInstant, notOnOrAfter: new Date(Date.now() - 30 * SECOND) })).nameId).toBeTruthy();
    expect(await refusal(signIn({ issueInstant, notOnOrAfter: new Date(Date.now() - 90 * SECOND) }))).toBe('expired');
  });

  it('[SE-7.2] refuses an assertion that is not yet valid, tolerating the configured clock skew', async () => {
    const { signIn } = serviceProvider({ clockSkewMs: 60 * SECOND });
    expect((await signIn({ notBefore: new Date(Date.now() + 30 * SECOND) })).nameId).toBeTruthy();
    expect(await refusal(signIn({ notBefore: new Date(Date.now() + 90 * SECOND) }))).toBe('not-yet-valid');
    expect(await refusal(signIn({ issueInstant: new Date(Date.now() + 90 * SECOND) }))).toBe('not-yet-valid');
  });

  it('[SE-7.2] refuses an assertion older than the connection\'s maximum age, however long it claims to be valid', async () => {
    const { signIn } = serviceProvider({ clockSkewMs: 0, maxAssertionAgeMs: 60 * SECOND });
    const issueInstant = new Date(Date.now() - 5 * 60 * SECOND);
    expect(await refusal(signIn({ issueInstant, notOnOrAfter: new Date(Date.now() + 5 * 60 * SECOND) }))).toBe('expired');
  });

  it('[SE-7.2] refuses a clock skew above three minutes when the connection is built', () => {
    expect(() => serviceProvider({ clockSkewMs: 180_001 })).toThrow(SamlError);
    expect(() => serviceProvider({ clockSkewMs: 180_000 })).not.toThrow();
  });
});

describe('SamlServiceProvider request binding and replay', () => {
  it('[SE-7.2] refuses an unsolicited (IdP-initiated) Response', async () => {
    const { provider } = serviceProvider();
    const body = { SAMLResponse: base64(idp.response({ inResponseTo: null, attributes: ENTRA_CLAIMS })) };
    expect(await refusal(provider.validatePostResponse(body))).toBe('unsolicited');
  });

  it('[SE-7.2] refuses a Response to a request this connection never sent', async () => {
    const { provider } = serviceProvider();
    const body = { SAMLResponse: base64(idp.response({ inResponseTo: '_never-sent', attributes: ENTRA_CLAIMS })) };
    expect(await refusal(provider.validatePostResponse(body))).toBe('in-response-to-unknown');
  });

  it('[SE-7.2] refuses at tenant B a Response to tenant A\'s request, even with the same IdP and ACS', async () => {
    const tenantA = serviceProvider();
    const requestStore = tenantA.requestStore;
    const tenantB = new SamlServiceProvider(
      { ...tenantA.connection, connectionId: randomUUID() },
      { requestStore, replayStore: tenantA.replayStore },
    );
    const { requestId, body } = await tenantA.respond({ attributes: ENTRA_CLAIMS });

    expect(await refusal(tenantB.validatePostResponse(body))).toBe('in-response-to-unknown');
    expect(requestStore.has(requestId, tenantA.connection.connectionId)).toBe(true);
    expect((await tenantA.provider.validatePostResponse(body)).subject).toBe(OBJECT_ID);
  });

  it('[SE-7.2] accepts a Response once: posting it again is refused', async () => {
    const { provider, respond } = serviceProvider();
    const { body } = await respond({ attributes: ENTRA_CLAIMS });
    expect((await provider.validatePostResponse(body)).subject).toBe(OBJECT_ID);
    expect(await refusal(provider.validatePostResponse(body))).toBe('in-response-to-unknown');
  });

  it('[SE-7.2] refuses an assertion id it accepted before, even answering a fresh request', async () => {
    const { signIn } = serviceProvider();
    await signIn({ assertionId: '_assertion-1', attributes: ENTRA_CLAIMS });
    expect(await refusal(signIn({ assertionId: '_assertion-1', attributes: ENTRA_CLAIMS }))).toBe('replayed');
  });

  it('[SE-7.2] refuses a signed assertion that names no request, wrapped in a Response to a fresh request', async () => {
    const { provider } = serviceProvider();
    const idpInitiatedAssertion = idp.assertion({ inResponseTo: null, attributes: ENTRA_CLAIMS });
    const { requestId } = await provider.createLoginRedirect({ relayState: 'state-2' });
    const body = { SAMLResponse: base64(idp.response({ inResponseTo: requestId, content: idpInitiatedAssertion })) };
    expect(await refusal(provider.validatePostResponse(body))).toBe('in-response-to-mismatch');
  });

  it('[SE-7.2] refuses a captured signed assertion re-wrapped in a Response to a fresh request', async () => {
    const { provider, respond } = serviceProvider();
    const captured = await respond({ attributes: ENTRA_CLAIMS });
    const capturedAssertion = idp.assertion({ inResponseTo: captured.requestId, attributes: ENTRA_CLAIMS });
    const { requestId: freshRequestId } = await provider.createLoginRedirect({ relayState: 'state-2' });
    const body = { SAMLResponse: base64(idp.response({ inResponseTo: freshRequestId, content: capturedAssertion })) };
    expect(await refusal(provider.validatePostResponse(body))).toBe('in-response-to-mismatch');
  });
});

describe('SamlServiceProvider hostile input', () => {
  const post = (xml: string) => ({ SAMLResponse: base64(xml) });

  it.each([
    ['an external entity (XXE)', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&x;</samlp:Response>'],
    ['entity expansion (billion laughs)', `<!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, level) => `<!ENTITY lol${level + 1} "${`&lol${level || ''};`.repeat(10)}">`).join('')}]><r>&lol9;</r>`],
    ['a bare DOCTYPE', '<!DOCTYPE samlp:Response><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>'],
  ])('[SE-7.2] refuses a DTD: %s', async (_attack, xml) => {
    const { provider } = serviceProvider();
    expect(await refusal(provider.validatePostResponse(post(xml)))).toBe('dtd-refused');
  });

  it('[SE-7.2] refuses a DOCTYPE inside an otherwise genuine signed Response', async () => {
    const { respond, provider } = serviceProvider();
    const { requestId } = await respond();
    const xml = `<!DOCTYPE Response [<!ENTITY oid "${OBJECT_ID}">]>${idp.response({ inResponseTo: requestId, attributes: ENTRA_CLAIMS })}`;
    expect(await refusal(provider.validatePostResponse(post(xml)))).toBe('dtd-refused');
  });

  it('[SE-7.2] refuses a SAMLResponse that is not strict base64', async () => {
    const { provider } = serviceProvider();
    const genuine = base64(idp.response({ inResponseTo: '_r', attributes: ENTRA_CLAIMS }));
    expect(await refusal(provider.validatePostResponse({ SAMLResponse: `${genuine.slice(0, 40)}*${genuine.slice(40)}` }))).toBe('encoding-invalid');
    expect(await refusal(provider.validatePostResponse({ SAMLResponse: 'not base64 at all!' }))).toBe('encoding-invalid');
  });

  it('[SE-7.2] refuses a Response that is not UTF-8', async () => {
    const { provider } = serviceProvider();
    const latin1 = Buffer.from(idp.response({ inResponseTo: '_r', nameId: 'Jos\u00e9' }), 'latin1').toString('base64');
    expect(await refusal(provider.validatePostResponse({ SAMLResponse: latin1 }))).toBe('encoding-invalid');
    const declared = idp.response({ inResponseTo: '_r' }).replace(/^/, '<?xml version="1.0" encoding="ISO-8859-1"?>');
    expect(await refusal(provider.validatePostResponse(post(declared)))).toBe('encoding-invalid');
  });

  it('[SE-7.2] refuses a Response over 256 KiB, before or after decoding', async () => {
    const { provider } = serviceProvider();
    const huge = idp.response({ inResponseTo: '_r', attributes: { [ENTRA_SAML_CLAIMS.groups]: Array.from({ length: 4000 }, () => randomUUID()) } });
    expect(Buffer.byteLength(huge)).toBeGreaterThan(256 * 1024);
    expect(await refusal(provider.validatePostResponse(post(huge)))).toBe('too-large');
    // Refused on its length alone, before anything is decoded.
    expect(await refusal(provider.validatePostResponse({ SAMLResponse: '!'.repeat(1024 * 1024) }))).toBe('too-large');
  });

  it('[SE-7.2] refuses elements nested deeper than any SAML message needs', async () => {
    const { provider } = serviceProvider();
    const deep = `<samlp:Response xmlns:samlp="${SAMLP}">${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</samlp:Response>`;
    expect(await refusal(provider.validatePostResponse(post(deep)))).toBe('too-deep');
  });

  it('[SE-7.2] refuses what is not well-formed XML, and a Response reporting failure', async () => {
    const { provider, respond } = serviceProvider();
    expect(await refusal(provider.validatePostResponse(post('<samlp:Response xmlns:samlp="x"><unclosed>')))).toBe('malformed');
    const { requestId } = await respond();
    const failure = idp.response({ inResponseTo: requestId, statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Responder' });
    expect(await refusal(provider.validatePostResponse(post(failure)))).toBe('status-not-success');
  });
});

describe('SamlServiceProvider single logout', () => {
  it('[SE-7.1] sends a signed LogoutRequest over HTTP-Redirect naming the signed-in user and session', async () => {
    const { provider, signIn, requestStore, connection } = serviceProvider();
    const identity = await signIn({ attributes: ENTRA_CLAIMS, sessionIndex: '_session-7' });
    const { url, requestId } = await provider.createLogoutRedirect(identity, { relayState: 'bye' });

    expect(url.startsWith(`${idp.ssoUrl}?`)).toBe(true);
    expect(redirectSignatureVerifies(url, 'SAMLRequest', spKey.certPem)).toBe(true);
    const request = redirectMessage(url, 'SAMLRequest');
    expect(request.localName).toBe('LogoutRequest');
    expect(request.getAttribute('ID')).toBe(requestId);
    expect(request.getAttribute('Destination')).toBe(idp.ssoUrl);
    expect(request.getElementsByTagNameNS(SAML, 'NameID')[0]!.textContent).toBe(identity.nameId);
    expect(request.getElementsByTagNameNS(SAMLP, 'SessionIndex')[0]!.textContent).toBe('_session-7');
    expect(requestStore.has(requestId, connection.connectionId)).toBe(true);
  });

  it('[SE-7.1] accepts Entra\'s unsigned LogoutResponse to its own LogoutRequest, once', async () => {
    const { provider, signIn } = serviceProvider();
    const { requestId } = await provider.createLogoutRedirect(await signIn());
    const query = idp.logoutResponseQuery({ inResponseTo: requestId, relayState: 'bye' });

    await expect(provider.validateLogoutResponse(`?${query}`)).resolves.toBeUndefined();
    expect(await refusal(provider.validateLogoutResponse(query))).toBe('in-response-to-unknown');
  });

  it('[SE-7.2] accepts a signed LogoutResponse only when its signature verifies, and never SHA-1', async () => {
    const { provider, signIn } = serviceProvider();
    const subject = await signIn();
    const logout = async () => (await provider.createLogoutRedirect(subject)).requestId;

    await expect(provider.validateLogoutResponse(idp.logoutResponseQuery({ inResponseTo: await logout(), signatureAlgorithm: 'sha256' }))).resolves.toBeUndefined();
    expect(
      await refusal(provider.validateLogoutResponse(idp.logoutResponseQuery({ inResponseTo: await logout(), signatureAlgorithm: 'sha256', signingKey: otherKey }))),
    ).toBe('signature-invalid');
    expect(await refusal(provider.validateLogoutResponse(idp.logoutResponseQuery({ inResponseTo: await logout(), signatureAlgorithm: 'sha1' })))).toBe(
      'sha1-refused',
    );
  });

  it('[SE-7.2] refuses a LogoutResponse that is unsolicited, unknown, from another issuer, for another SP or unsuccessful', async () => {
    const { provider, signIn } = serviceProvider();
    const subject = await signIn();
    const logout = async () => (await provider.createLogoutRedirect(subject)).requestId;

    expect(await refusal(provider.validateLogoutResponse(idp.logoutResponseQuery({ inResponseTo: null })))).toBe('unsolicited');
    expect(await refusal(provider.validateLogoutResponse(idp.logoutResponseQuery({ inResponseTo: '_never-sent' })))).toBe('in-response-to-unknown');
    expect(
      await refusal(provider.validateLogoutResponse(idp.logoutResponseQuery({ inResponseTo: await logout(), issuer: 'https://sts.windows.net/other/' }))),
    ).toBe('issuer-mismatch');
    expect(
      await refusal(provider.validateLogoutResponse(idp.logoutResponseQuery({ inResponseTo: await logout(), destination: 'https://gemeente-b.veilig.example/auth/saml/logout' }))),
    ).toBe('destination-mismatch');
    expect(
      await refusal(
        provider.validateLogoutResponse(
          idp.logoutResponseQuery({ inResponseTo: await logout(), statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Requester' }),
        ),
      ),
    ).toBe('status-not-success');
  });

  it('[SE-7.2] refuses a deflate bomb and duplicated parameters in a LogoutResponse', async () => {
    const { provider } = serviceProvider();
    const bomb = encodeURIComponent(deflateRawSync(Buffer.alloc(2 * 1024 * 1024, 0x20)).toString('base64'));
    const inflating = provider.validateLogoutResponse(`SAMLResponse=${bomb}`);
    expect(await refusal(inflating)).toBe('too-large');
    // Stopped while inflating, not after holding the whole 2 MiB in memory.
    expect(await inflating.then(() => undefined, (error: SamlError) => error.cause)).toBeInstanceOf(RangeError);
    const query = idp.logoutResponseQuery({ inResponseTo: '_r' });
    expect(await refusal(provider.validateLogoutResponse(`${query}&${query}`))).toBe('malformed');
  });

  it('[SE-7.1] refuses to start single logout when the IdP has no logout endpoint', async () => {
    const { provider, signIn } = serviceProvider({ idpSloUrl: undefined });
    expect(await refusal(provider.createLogoutRedirect(await signIn()))).toBe('configuration-invalid');
  });
});
