import { X509Certificate } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { isAbsoluteUri, isHttpsUrl, resolveSamlConnection, type SamlConnection } from './saml-connection.js';
import { SamlError } from './saml-error.js';
import { SAML_NAMESPACES, attribute, childElements, parseUntrustedXml, textOf } from './untrusted-xml.js';

/** What an IdP's metadata contributes to a {@link SamlConnection}. */
export type IdpMetadata = Pick<SamlConnection, 'idpEntityId' | 'idpSsoUrl' | 'idpSloUrl' | 'idpSigningCertsPem'>;

/** Entra's federation metadata is about 25 KiB; a megabyte leaves room without inviting abuse. */
const MAX_METADATA_BYTES = 1024 * 1024;
const HTTP_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const HTTP_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const { metadata: md, xmldsig: ds, protocol } = SAML_NAMESPACES;

/**
 * Reads an IdP's SAML metadata, such as Entra's federationmetadata.xml as downloaded: entity id,
 * HTTP-Redirect sign-in and logout endpoints, and every signing certificate (Entra lists two while
 * it rolls its signing key over). The metadata's own signature is not checked here: it must come
 * from a trusted channel (Entra's HTTPS endpoint, or an administrator's upload).
 */
export function parseIdpMetadata(xml: string): IdpMetadata {
  const root = parseUntrustedXml(xml.replace(/^\uFEFF/, ''), MAX_METADATA_BYTES);
  if (root.namespaceURI !== md || root.localName !== 'EntityDescriptor') {
    throw invalid(`root element is ${root.localName}; expected the EntityDescriptor of one IdP`);
  }
  const idpEntityId = attribute(root, 'entityID') ?? '';
  if (!isAbsoluteUri(idpEntityId)) throw invalid(`entityID "${idpEntityId}" is not an absolute URI`);
  const descriptors = childElements(root, md, 'IDPSSODescriptor');
  if (descriptors.length !== 1) throw invalid(`${descriptors.length} IDPSSODescriptor elements, expected 1`);
  const descriptor = descriptors[0]!;
  if (!(attribute(descriptor, 'protocolSupportEnumeration') ?? '').split(/\s+/).includes(protocol)) {
    throw invalid('IDPSSODescriptor does not support SAML 2.0');
  }
  const idpSsoUrl = redirectEndpoint(descriptor, 'SingleSignOnService');
  if (!idpSsoUrl) throw invalid('no SingleSignOnService with the HTTP-Redirect binding');
  const idpSigningCertsPem = signingCertificates(descriptor);
  if (idpSigningCertsPem.length === 0) throw invalid('no signing certificate');
  const idpSloUrl = redirectEndpoint(descriptor, 'SingleLogoutService');
  return { idpEntityId, idpSsoUrl, ...(idpSloUrl ? { idpSloUrl } : {}), idpSigningCertsPem };
}

function redirectEndpoint(descriptor: Element, service: 'SingleSignOnService' | 'SingleLogoutService'): string | undefined {
  const endpoint = childElements(descriptor, md, service).find((element) => attribute(element, 'Binding') === HTTP_REDIRECT);
  const location = endpoint && attribute(endpoint, 'Location');
  if (location !== undefined && !isHttpsUrl(location)) throw invalid(`${service} "${location}" is not an https URL`);
  return location;
}

/** KeyDescriptors for signing; one without `use` is for signing and encryption alike. Duplicates are listed once. */
function signingCertificates(descriptor: Element): string[] {
  const byFingerprint = new Map<string, string>();
  for (const keyDescriptor of childElements(descriptor, md, 'KeyDescriptor')) {
    const use = attribute(keyDescriptor, 'use');
    if (use !== undefined && use !== 'signing') continue;
    for (const keyInfo of childElements(keyDescriptor, ds, 'KeyInfo')) {
      for (const x509Data of childElements(keyInfo, ds, 'X509Data')) {
        for (const encoded of childElements(x509Data, ds, 'X509Certificate')) {
          const certificate = parseCertificate(textOf(encoded));
          byFingerprint.set(certificate.fingerprint256, certificate.toString());
        }
      }
    }
  }
  return [...byFingerprint.values()];
}

function parseCertificate(base64: string): X509Certificate {
  const compact = base64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw invalid('X509Certificate is not base64');
  try {
    return new X509Certificate(Buffer.from(compact, 'base64'));
  } catch (error) {
    throw new SamlError('metadata-invalid', 'X509Certificate is not a certificate', { cause: error });
  }
}

function invalid(detail: string): SamlError {
  return new SamlError('metadata-invalid', detail);
}

/**
 * Our SP metadata, for the customer's Entra administrator to upload: signed AuthnRequests, signed
 * assertions wanted, ACS over HTTP-POST and logout over HTTP-Redirect (the only logout binding
 * Entra uses; node-saml's own generator advertises HTTP-POST, which is why this one is ours).
 */
export function spMetadataXml(connection: SamlConnection): string {
  const { spEntityId, acsUrl, sloUrl, spSigningCertPem } = resolveSamlConnection(connection);
  const certificate = new X509Certificate(spSigningCertPem).raw.toString('base64');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<md:EntityDescriptor xmlns:md="${md}" xmlns:ds="${ds}" entityID="${escapeXml(spEntityId)}">`,
    `  <md:SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="true" protocolSupportEnumeration="${protocol}">`,
    '    <md:KeyDescriptor use="signing">',
    `      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`,
    '    </md:KeyDescriptor>',
    `    <md:SingleLogoutService Binding="${HTTP_REDIRECT}" Location="${escapeXml(sloUrl)}"/>`,
    `    <md:AssertionConsumerService Binding="${HTTP_POST}" Location="${escapeXml(acsUrl)}" index="0" isDefault="true"/>`,
    '  </md:SPSSODescriptor>',
    '</md:EntityDescriptor>',
    '',
  ].join('\n');
}

function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
