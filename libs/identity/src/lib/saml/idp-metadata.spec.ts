import { X509Certificate, randomUUID } from 'node:crypto';
import { issueCertificate } from '@veilig/platform-pki';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseIdpMetadata, spMetadataXml } from './idp-metadata.js';
import type { SamlConnection } from './saml-connection.js';
import { SamlError, type SamlErrorReason } from './saml-error.js';
import { SamlServiceProvider } from './saml-service-provider.js';
import { TestIdp, type TestKeyPair } from './testing/test-idp.js';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const HTTP_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const HTTP_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

let idp: TestIdp;
let nextIdp: TestIdp;
let encryptionKey: TestKeyPair;
let spKey: TestKeyPair;

beforeAll(async () => {
  idp = await TestIdp.create({
    entityId: `spn:${randomUUID()}`,
    acsUrl: 'https://gemeente-a.veilig.example/auth/saml/acs',
    sloUrl: 'https://gemeente-a.veilig.example/auth/saml/logout',
  });
  nextIdp = await idp.withNewSigningKey();
  encryptionKey = (await idp.withNewSigningKey()).signingKey;
  const { certPem, keyPem } = await issueCertificate({ subject: 'CN=veilig SAML signing', key: 'rsa-2048' });
  spKey = { certPem, keyPem };
});

function spConnection(overrides: Partial<SamlConnection> = {}): SamlConnection {
  return {
    connectionId: randomUUID(),
    spEntityId: idp.sp.entityId,
    acsUrl: idp.sp.acsUrl,
    sloUrl: idp.sp.sloUrl,
    ...parseIdpMetadata(idp.federationMetadataXml()),
    spSigningKeyPem: spKey.keyPem,
    spSigningCertPem: spKey.certPem,
    ...overrides,
  };
}

function refusal(parse: () => unknown): SamlErrorReason {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(SamlError);
    return (error as SamlError).reason;
  }
  throw new Error('expected a SamlError, but it was accepted');
}

function fingerprints(pems: readonly string[]): string[] {
  return pems.map((pem) => new X509Certificate(pem).fingerprint256);
}

function parse(xml: string): Element {
  return new DOMParser().parseFromString(xml, 'text/xml').documentElement!;
}

describe('parseIdpMetadata', () => {
  it('[SE-7.1] reads Entra federation metadata with two signing certificates during a rollover', () => {
    const metadata = parseIdpMetadata(idp.federationMetadataXml([idp.signingKey.certPem, nextIdp.signingKey.certPem]));

    expect(metadata).toEqual({
      idpEntityId: `https://sts.windows.net/${idp.tenantId}/`,
      idpSsoUrl: `https://login.microsoftonline.com/${idp.tenantId}/saml2`,
      idpSloUrl: `https://login.microsoftonline.com/${idp.tenantId}/saml2`,
      idpSigningCertsPem: expect.any(Array),
    });
    expect(fingerprints(metadata.idpSigningCertsPem)).toEqual(fingerprints([idp.signingKey.certPem, nextIdp.signingKey.certPem]));
  });

  it('[SE-7.1] feeds a connection whose sign-in request goes to the metadata\'s endpoint', async () => {
    const saved: string[] = [];
    const provider = new SamlServiceProvider(spConnection(), {
      requestStore: { save: async (requestId) => void saved.push(requestId), take: async () => false },
      replayStore: { remember: async () => true },
    });
    const { url, requestId } = await provider.createLoginRedirect({ relayState: '' });
    expect(url.startsWith(`https://login.microsoftonline.com/${idp.tenantId}/saml2?SAMLRequest=`)).toBe(true);
    expect(saved).toEqual([requestId]);
  });

  it('[SE-7.1] takes a KeyDescriptor without use as a signing key and skips encryption keys and duplicates', () => {
    const [current, next, encryption] = [idp.signingKey.certPem, nextIdp.signingKey.certPem, encryptionKey.certPem];
    const xml = idp
      .federationMetadataXml([current, next, current, encryption])
      .replace(/(<IDPSSODescriptor[^>]*>)<KeyDescriptor use="signing">/, '$1<KeyDescriptor>')
      .replace(/(<IDPSSODescriptor[\s\S]*)<KeyDescriptor use="signing">/, '$1<KeyDescriptor use="encryption">');
    expect(fingerprints(parseIdpMetadata(xml).idpSigningCertsPem)).toEqual(fingerprints([current, next]));
  });

  it.each([
    ['an external entity (XXE)', '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "http://attacker.example/">]><EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">&x;</EntityDescriptor>'],
    ['entity expansion (billion laughs)', '<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">&b;</EntityDescriptor>'],
  ])('[SE-7.2] refuses a DTD in metadata: %s', (_attack, xml) => {
    expect(refusal(() => parseIdpMetadata(xml))).toBe('dtd-refused');
  });

  it('[SE-7.2] refuses metadata over 1 MiB', () => {
    const padded = idp.federationMetadataXml().replace('</EntityDescriptor>', `<!--${'x'.repeat(1024 * 1024)}--></EntityDescriptor>`);
    expect(refusal(() => parseIdpMetadata(padded))).toBe('too-large');
  });

  it('[SE-7.2] refuses metadata nested deeper than any metadata needs', () => {
    const deep = idp.federationMetadataXml().replace('</EntityDescriptor>', `${'<x>'.repeat(100)}${'</x>'.repeat(100)}</EntityDescriptor>`);
    expect(refusal(() => parseIdpMetadata(deep))).toBe('too-deep');
  });

  it.each([
    ['an EntitiesDescriptor', (xml: string) => `<EntitiesDescriptor xmlns="${MD}">${xml.replace(/^<\?xml[^>]*>/, '')}</EntitiesDescriptor>`],
    ['SP metadata (no IDPSSODescriptor)', (xml: string) => xml.replace(/<IDPSSODescriptor[\s\S]*<\/IDPSSODescriptor>/, '')],
    ['no HTTP-Redirect sign-in endpoint', (xml: string) => xml.replace(/<SingleSignOnService Binding="[^"]*HTTP-Redirect"[^>]*\/>/, '')],
    ['a plain-http sign-in endpoint', (xml: string) => xml.replaceAll('https://login.microsoftonline.com', 'http://login.microsoftonline.com')],
    ['no signing certificate', (xml: string) => xml.replace(/(<IDPSSODescriptor[^>]*>)<KeyDescriptor use="signing">[\s\S]*?<\/KeyDescriptor>/, '$1')],
    ['a certificate that is not one', (xml: string) => xml.replace(/(<IDPSSODescriptor[\s\S]*?<X509Certificate>)[^<]*/, '$1bm90IGEgY2VydGlmaWNhdGU=')],
    ['an entity id that is not a URI', (xml: string) => xml.replace(/entityID="[^"]*"/, 'entityID="not a uri"')],
  ])('[SE-7.1] refuses metadata with %s', (_defect, spoil) => {
    expect(refusal(() => parseIdpMetadata(spoil(idp.federationMetadataXml())))).toBe('metadata-invalid');
  });
});

describe('spMetadataXml', () => {
  it('[SE-7.1] declares signed AuthnRequests, wanted signed assertions, ACS over HTTP-POST, logout over HTTP-Redirect and the signing certificate', () => {
    const connection = spConnection();
    const entity = parse(spMetadataXml(connection));
    const descriptor = entity.getElementsByTagNameNS(MD, 'SPSSODescriptor')[0]!;
    const acs = descriptor.getElementsByTagNameNS(MD, 'AssertionConsumerService')[0]!;
    const slo = descriptor.getElementsByTagNameNS(MD, 'SingleLogoutService')[0]!;
    const keyDescriptor = descriptor.getElementsByTagNameNS(MD, 'KeyDescriptor')[0]!;
    const certificate = keyDescriptor.getElementsByTagNameNS(DS, 'X509Certificate')[0]!.textContent!;

    expect(entity.getAttribute('entityID')).toBe(connection.spEntityId);
    expect(descriptor.getAttribute('AuthnRequestsSigned')).toBe('true');
    expect(descriptor.getAttribute('WantAssertionsSigned')).toBe('true');
    expect([acs.getAttribute('Binding'), acs.getAttribute('Location')]).toEqual([HTTP_POST, connection.acsUrl]);
    expect([slo.getAttribute('Binding'), slo.getAttribute('Location')]).toEqual([HTTP_REDIRECT, connection.sloUrl]);
    expect(keyDescriptor.getAttribute('use')).toBe('signing');
    expect(new X509Certificate(Buffer.from(certificate, 'base64')).fingerprint256).toBe(new X509Certificate(spKey.certPem).fingerprint256);
  });

  it.each(['spn:3f2b8c1e-7d4a-4e6b-9c0d-1a2b3c4d5e6f', 'api://3f2b8c1e-7d4a-4e6b-9c0d-1a2b3c4d5e6f', 'https://gemeente-a.veilig.example/saml?tenant=a&x="y"'])(
    '[SE-7.1] keeps entity id %s exactly',
    (spEntityId) => {
      expect(parse(spMetadataXml(spConnection({ spEntityId }))).getAttribute('entityID')).toBe(spEntityId);
    },
  );

  it('[SE-7.1] is refused for a connection whose SP key cannot sign redirect-binding requests', async () => {
    const ecKey = await issueCertificate({ subject: 'CN=veilig SAML signing', key: 'ec-p256' });
    expect(refusal(() => spMetadataXml(spConnection({ spSigningKeyPem: ecKey.keyPem, spSigningCertPem: ecKey.certPem })))).toBe(
      'configuration-invalid',
    );
    expect(refusal(() => spMetadataXml(spConnection({ spSigningCertPem: idp.signingKey.certPem })))).toBe('configuration-invalid');
  });
});
