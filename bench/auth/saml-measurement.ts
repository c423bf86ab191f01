import { createPrivateKey, createPublicKey, randomUUID, sign, verify } from 'node:crypto';
import { ENTRA_SAML_CLAIMS, SamlServiceProvider, type AssertionReplayStore, type SamlRequestStore } from '@veilig/identity';
import { issueCertificate } from '@veilig/platform-pki';
import { base64, TestIdp, type TestServiceProvider } from '../../libs/identity/src/lib/saml/testing/test-idp.js';
import type { SamlPlan, SamlResult } from './protocol.js';
import { summariseRuns, timeOperations, timeRepeatedly } from './timing.js';

const SERVICE_PROVIDER: TestServiceProvider = {
  entityId: `spn:${randomUUID()}`,
  acsUrl: 'https://gemeente-voorbeeld.veilig.example/auth/saml/acs',
  sloUrl: 'https://gemeente-voorbeeld.veilig.example/auth/saml/logout',
};
const CONNECTION_ID = 'bench-saml';
/** node-saml and the kit's checks are synchronous CPU work between awaits: more at once would only interleave them. */
const SEQUENTIAL = 1;

interface PreparedResponse {
  readonly body: { readonly SAMLResponse: string };
  readonly objectId: string;
  /** The signed Assertion element exactly as it appears in the response. */
  readonly assertion: Buffer;
}

/**
 * SAMLResponse validations per second by the kit's service provider, against a bare RSA-SHA256
 * verification of the same assertion bytes. The responses are made and signed beforehand, each
 * answering an AuthnRequest of its own and carrying an assertion id of its own, so every timed
 * validation passes the request binding and the replay check as a first sign-in does.
 */
export async function measureSaml(plan: SamlPlan, progress: (message: string) => void): Promise<SamlResult> {
  const idp = await TestIdp.create(SERVICE_PROVIDER);
  const spCredential = await issueCertificate({ subject: 'CN=Veilig SAML signing, O=Veilig bench', key: 'rsa-2048' });
  const serviceProvider = new SamlServiceProvider(
    {
      connectionId: CONNECTION_ID,
      spEntityId: SERVICE_PROVIDER.entityId,
      acsUrl: SERVICE_PROVIDER.acsUrl,
      sloUrl: SERVICE_PROVIDER.sloUrl,
      idpEntityId: idp.entityId,
      idpSsoUrl: idp.ssoUrl,
      idpSloUrl: idp.ssoUrl,
      idpSigningCertsPem: [idp.signingKey.certPem],
      spSigningKeyPem: spCredential.keyPem,
      spSigningCertPem: spCredential.certPem,
    },
    { requestStore: new InMemoryRequestStore(), replayStore: new InMemoryReplayStore() },
  );

  const total = plan.warmUpValidations + plan.measuredValidations;
  progress(`SAML: signing ${total} Entra-style responses (RSA-SHA256, exclusive c14n), each answering an AuthnRequest of its own`);
  const responses: PreparedResponse[] = [];
  for (let index = 0; index < total; index++) {
    const { requestId } = await serviceProvider.createLoginRedirect({ relayState: `bench-${index}` });
    const objectId = randomUUID();
    const xml = idp.response({ inResponseTo: requestId, attributes: entraClaims(idp.tenantId, objectId, index) });
    responses.push({ body: { SAMLResponse: base64(xml) }, objectId, assertion: Buffer.from(signedAssertionOf(xml), 'utf8') });
  }
  const warmUp = responses.slice(0, plan.warmUpValidations);
  const measured = responses.slice(plan.warmUpValidations);

  const validate = async (response: PreparedResponse) => {
    const identity = await serviceProvider.validatePostResponse(response.body);
    if (identity.entraObjectId !== response.objectId) throw new Error(`SAML: validated the wrong identity (${identity.entraObjectId})`);
  };
  progress(`SAML: warming up with ${warmUp.length} validations`);
  await timeOperations(warmUp, SEQUENTIAL, validate);
  progress(`SAML: timing ${measured.length} validations by SamlServiceProvider.validatePostResponse`);
  const validations = summariseRuns([await timeOperations(measured, SEQUENTIAL, validate)]);

  // The floor: the key parsed once, no XML, one RSA-SHA256 verification over the assertion bytes.
  const idpPublicKey = createPublicKey(idp.signingKey.certPem);
  const idpPrivateKey = createPrivateKey(idp.signingKey.keyPem);
  const signed = measured.map(({ assertion }) => ({ assertion, signature: sign('sha256', assertion, idpPrivateKey) }));
  const verifySignature = ({ assertion, signature }: (typeof signed)[number]) => {
    if (!verify('sha256', assertion, idpPublicKey, signature)) throw new Error('SAML baseline: an RSA-SHA256 signature did not verify');
  };
  progress(`SAML: timing bare RSA-SHA256 verifications (node:crypto) of the same assertions for ${plan.baselineSeconds} s`);
  // One untimed pass first, as the validations had their warm-up.
  await timeRepeatedly(signed, 0, verifySignature);
  const signatureVerifications = summariseRuns([await timeRepeatedly(signed, plan.baselineSeconds, verifySignature)]);

  return {
    validations,
    signatureVerifications,
    responseBytes: measured[0]!.body.SAMLResponse.length,
    assertionBytes: measured[0]!.assertion.length,
  };
}

/** Entra's claims for a municipal employee, the set the kit's SAML tests use. */
function entraClaims(tenantId: string, objectId: string, index: number): Record<string, readonly string[]> {
  return {
    [ENTRA_SAML_CLAIMS.objectId]: [objectId],
    [ENTRA_SAML_CLAIMS.tenantId]: [tenantId],
    [ENTRA_SAML_CLAIMS.givenName]: ['Fenna'],
    [ENTRA_SAML_CLAIMS.surname]: ['de Vries'],
    [ENTRA_SAML_CLAIMS.email]: [`medewerker-${index}@gemeente-voorbeeld.example`],
    [ENTRA_SAML_CLAIMS.name]: [`medewerker-${index}@gemeente-voorbeeld.example`],
    [ENTRA_SAML_CLAIMS.displayName]: ['Fenna de Vries'],
    [ENTRA_SAML_CLAIMS.department]: ['Burgerzaken'],
    [ENTRA_SAML_CLAIMS.groups]: ['5e7d6c1b-0000-4000-8000-000000000001', '5e7d6c1b-0000-4000-8000-000000000002'],
    [ENTRA_SAML_CLAIMS.roles]: ['Medewerker'],
  };
}

function signedAssertionOf(responseXml: string): string {
  const start = responseXml.indexOf('<Assertion ');
  const endTag = '</Assertion>';
  const end = responseXml.indexOf(endTag, start);
  if (start === -1 || end === -1) throw new Error('SAML: the test IdP wrote a response without an Assertion element');
  return responseXml.slice(start, end + endTag.length);
}

/** What the kit keeps in PostgreSQL, kept in memory: the measurement is of the protocol work, not of a database. */
class InMemoryRequestStore implements SamlRequestStore {
  private readonly requests = new Map<string, { readonly connectionId: string; readonly expiresAt: Date }>();

  async save(requestId: string, connectionId: string, expiresAt: Date): Promise<void> {
    this.requests.set(requestId, { connectionId, expiresAt });
  }

  async take(requestId: string, connectionId: string): Promise<boolean> {
    const request = this.requests.get(requestId);
    if (!request || request.connectionId !== connectionId) return false;
    this.requests.delete(requestId);
    return request.expiresAt.getTime() > Date.now();
  }
}

class InMemoryReplayStore implements AssertionReplayStore {
  private readonly seen = new Set<string>();

  async remember(assertionId: string, connectionId: string): Promise<boolean> {
    const key = `${connectionId}/${assertionId}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }
}
