import { X509Certificate, randomUUID } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SamlServiceProvider,
  parseIdpMetadata,
  type AssertionReplayStore,
  type IdpMetadata,
  type SamlConnection,
  type SamlRequestStore,
} from '@veilig/identity';
import { issueCertificate, type IssuedCertificate } from '@veilig/platform-pki';
import { DEMO_DIRECTORIES, startDevIdp, type RunningDevIdp } from './index.js';
import { TestBrowser, readForm } from './testing/test-browser.js';

class InMemoryRequestStore implements SamlRequestStore {
  private readonly requests = new Map<string, string>();

  async save(requestId: string, connectionId: string): Promise<void> {
    this.requests.set(requestId, connectionId);
  }

  async take(requestId: string, connectionId: string): Promise<boolean> {
    if (this.requests.get(requestId) !== connectionId) return false;
    return this.requests.delete(requestId);
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

const SP_ENTITY_ID = 'https://app.veilig.test/saml/gemeente-voorbeeld';
const ACS_URL = 'https://app.veilig.test/auth/saml/acs';
const SLO_URL = 'https://app.veilig.test/auth/saml/logout';
const [voorbeeld] = DEMO_DIRECTORIES as [(typeof DEMO_DIRECTORIES)[number]];
const [fenna, , sanne] = voorbeeld.users as [(typeof voorbeeld.users)[number], unknown, (typeof voorbeeld.users)[number]];

let tls: IssuedCertificate;
let spKey: IssuedCertificate;
let idp: RunningDevIdp;
let metadataXml: string;
let metadata: IdpMetadata;

beforeAll(async () => {
  tls = await issueCertificate({ subject: 'CN=localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], extendedKeyUsages: ['serverAuth'] });
  spKey = await issueCertificate({ subject: 'CN=Veilig SAML signing', key: 'rsa-2048' });
  idp = await startDevIdp({
    host: '127.0.0.1',
    port: 0,
    tls,
    production: false,
    directories: DEMO_DIRECTORIES,
    oidcClients: [],
    samlServiceProviders: [{ tenantId: voorbeeld.tenantId, entityId: SP_ENTITY_ID, acsUrl: ACS_URL, sloUrl: SLO_URL, signingCertPem: spKey.certPem }],
  });
  const download = await new TestBrowser(tls.certPem).get(idp.samlMetadataUrl(voorbeeld.tenantId));
  expect(download.status).toBe(200);
  metadataXml = download.body;
  metadata = parseIdpMetadata(metadataXml);
});

afterAll(async () => {
  await idp?.close();
});

function serviceProvider(overrides: Partial<SamlConnection> = {}): SamlServiceProvider {
  return new SamlServiceProvider(
    {
      connectionId: randomUUID(),
      spEntityId: SP_ENTITY_ID,
      acsUrl: ACS_URL,
      sloUrl: SLO_URL,
      ...metadata,
      spSigningKeyPem: spKey.keyPem,
      spSigningCertPem: spKey.certPem,
      ...overrides,
    },
    { requestStore: new InMemoryRequestStore(), replayStore: new InMemoryReplayStore() },
  );
}

/** Sends the AuthnRequest to the dev IdP, picks `userOid` and returns the auto-post page it answers with. */
async function pickUser(sp: SamlServiceProvider, userOid: string, browser = new TestBrowser(tls.certPem)) {
  const { url, requestId } = await sp.createLoginRedirect({ relayState: 'return-to_42' });
  const picker = await browser.get(url);
  expect(picker.status).toBe(200);
  const pickerForm = readForm(picker.body);
  const answer = await browser.postForm(new URL(pickerForm.action, url), { ...pickerForm.hiddenFields, oid: userOid });
  return { requestId, picker, pickerForm, answer, browser, pickerUrl: new URL(pickerForm.action, url) };
}

function samlPost(page: string): { SAMLResponse: string; RelayState?: string } {
  const { hiddenFields } = readForm(page);
  if (hiddenFields['SAMLResponse'] === undefined) throw new Error('the page posts no SAMLResponse');
  return { SAMLResponse: hiddenFields['SAMLResponse'], ...(hiddenFields['RelayState'] === undefined ? {} : { RelayState: hiddenFields['RelayState'] }) };
}

describe('the dev IdP as an Entra ID tenant for SAML 2.0', () => {
  it("[SE-7.1] publishes federation metadata that the kit's idp-metadata parser reads, signed with the IdP's certificate", () => {
    expect(metadata).toEqual({
      idpEntityId: `https://sts.windows.net/${voorbeeld.tenantId}/`,
      idpSsoUrl: idp.samlSsoUrl(voorbeeld.tenantId),
      idpSloUrl: idp.samlSsoUrl(voorbeeld.tenantId),
      idpSigningCertsPem: [expect.any(String)],
    });
    expect(new X509Certificate(metadata.idpSigningCertsPem[0]!).fingerprint256).toBe(new X509Certificate(idp.samlSigningCertPem).fingerprint256);
    const document = new DOMParser().parseFromString(metadataXml, 'text/xml');
    const signature = document.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0];
    const verifier = new SignedXml({ publicCert: idp.samlSigningCertPem });
    verifier.loadSignature(signature!.toString());
    expect(verifier.checkSignature(metadataXml)).toBe(true);
  });

  it("[SE-7.1] a SAML login against the dev IdP is accepted by the kit's SamlServiceProvider", async () => {
    const sp = serviceProvider();
    const { requestId, picker, pickerForm, answer } = await pickUser(sp, fenna.oid);

    expect(picker.body).toContain('Ontwikkel-IdP — niet voor productie');
    expect(pickerForm.buttons.map((button) => button.value)).toEqual(voorbeeld.users.map((user) => user.oid));
    expect(answer.status).toBe(200);
    const postForm = readForm(answer.body);
    expect(postForm.action).toBe(ACS_URL);
    expect(answer.body).toContain('Doorgaan');
    expect(answer.body).toContain('<script src="/assets/autopost.js" defer></script>');
    expect(answer.body).not.toMatch(/<script(?![^>]*\ssrc=)|<style|\sstyle=|\son\w+=/i);
    expect(String(answer.headers['content-security-policy'])).toMatch(/form-action 'self' https:\/\/app\.veilig\.test(;|$)/);

    const body = samlPost(answer.body);
    expect(body.RelayState).toBe('return-to_42');
    const response = new DOMParser().parseFromString(Buffer.from(body.SAMLResponse, 'base64').toString('utf8'), 'text/xml').documentElement!;
    expect(response.getAttribute('Destination')).toBe(ACS_URL);
    expect(response.getAttribute('InResponseTo')).toBe(requestId);

    const identity = await sp.validatePostResponse(body);
    expect(identity).toEqual({
      protocol: 'saml',
      subject: fenna.oid,
      entraObjectId: fenna.oid,
      entraTenantId: voorbeeld.tenantId,
      givenName: 'Fenna',
      surname: 'de Vries',
      email: 'fenna.devries@voorbeeld.gemeente.example',
      displayName: 'Fenna de Vries',
      department: 'Informatievoorziening',
      groups: fenna.groups,
      roles: ['tenant-admin'],
      deviceId: undefined,
      idpSessionId: expect.stringMatching(/^_[0-9a-f-]{36}$/),
      nameId: expect.stringMatching(/^[\w-]{43}$/),
      nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    });
    // Entra's default NameID is persistent and pairwise: not the oid, and another at another application.
    expect(identity.nameId).not.toBe(fenna.oid);
  });

  it('[SV-4] a demo user without department yields an identity without department (SAML)', async () => {
    const sp = serviceProvider();
    const { answer } = await pickUser(sp, sanne.oid);

    const identity = await sp.validatePostResponse(samlPost(answer.body));
    expect(identity).toMatchObject({ entraObjectId: sanne.oid, givenName: 'Sanne', surname: 'Jansen', email: sanne.email, department: undefined, roles: ['auditor'], groups: [] });
  });

  it('[SE-7.2] answers a sign-in once: the picker form cannot be submitted a second time', async () => {
    const { pickerForm, pickerUrl, browser } = await pickUser(serviceProvider(), fenna.oid);

    const again = await browser.postForm(pickerUrl, { ...pickerForm.hiddenFields, oid: fenna.oid });
    expect(again.status).toBe(400);
    expect(again.body).not.toContain('SAMLResponse');
  });

  it('[SE-7.2] refuses an AuthnRequest from an unknown SP, for an unregistered ACS URL, unsigned, tampered with or signed by another key, with 400', async () => {
    const browser = new TestBrowser(tls.certPem);
    const strangerKey = await issueCertificate({ subject: 'CN=Someone else', key: 'rsa-2048' });
    const redirect = async (overrides: Partial<SamlConnection> = {}) => new URL((await serviceProvider(overrides).createLoginRedirect({ relayState: 'state' })).url);
    const refusal = async (url: URL) => {
      const response = await browser.get(url);
      return { status: response.status, body: response.body };
    };
    const genuine = await redirect();
    const unsigned = new URL(genuine);
    unsigned.searchParams.delete('Signature');
    unsigned.searchParams.delete('SigAlg');
    const tampered = new URL(genuine.href.replace('RelayState=state', 'RelayState=other'));

    expect((await refusal(await redirect())).status).toBe(200);
    expect(await refusal(await redirect({ spEntityId: 'https://elders.example/saml' }))).toMatchObject({ status: 400, body: expect.stringContaining('https://elders.example/saml') });
    expect(await refusal(await redirect({ acsUrl: 'https://elders.example/acs' }))).toMatchObject({ status: 400, body: expect.stringContaining('AssertionConsumerServiceURL') });
    expect(await refusal(unsigned)).toMatchObject({ status: 400, body: expect.stringContaining('not signed') });
    expect(await refusal(tampered)).toMatchObject({ status: 400, body: expect.stringContaining('does not verify') });
    expect(await refusal(await redirect({ spSigningKeyPem: strangerKey.keyPem, spSigningCertPem: strangerKey.certPem }))).toMatchObject({
      status: 400,
      body: expect.stringContaining('does not verify'),
    });
  });

  it('[SE-7.1] answers a signed LogoutRequest with a LogoutResponse the kit accepts', async () => {
    const sp = serviceProvider();
    const { answer, browser } = await pickUser(sp, fenna.oid);
    const identity = await sp.validatePostResponse(samlPost(answer.body));

    const { url } = await sp.createLogoutRedirect(identity, { relayState: 'signed-out' });
    const logout = await browser.get(url);
    expect(logout.status).toBe(302);
    const back = logout.location();
    expect(`${back.origin}${back.pathname}`).toBe(SLO_URL);
    expect(back.searchParams.get('RelayState')).toBe('signed-out');
    await expect(sp.validateLogoutResponse(back.search)).resolves.toBeUndefined();
  });
});
