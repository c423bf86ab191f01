import { X509Certificate, verify } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Element } from '@xmldom/xmldom';
import { RefusedRequest } from '../refused-request.js';
import { parseSamlMessage } from './saml-xml.js';

/** An AuthnRequest or LogoutRequest is a few KiB; the bound is on the inflated XML, so a deflate bomb stops here. */
const MAX_MESSAGE_BYTES = 64 * 1024;
const MAX_QUERY_CHARS = 16 * 1024;
/** SAML bindings 3.4.3. */
const MAX_RELAY_STATE_BYTES = 80;
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The redirect-binding signature algorithms Entra accepts from a service provider, with the key type each needs. */
const SIGNATURE_ALGORITHMS: Readonly<Record<string, 'rsa' | 'ec'>> = {
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256': 'rsa',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256': 'ec',
};

/** A request from a service provider in the HTTP-Redirect binding, parsed but not yet authenticated. */
export interface RedirectRequest {
  readonly message: Element;
  readonly relayState: string | undefined;
  /** Throws {@link RefusedRequest} unless the query carries a valid signature by this certificate's key. */
  verifySignature(signingCertificatePem: string): void;
}

interface QueryParameter {
  /** As it appeared in the URL: the signature covers these exact octets. */
  readonly raw: string;
  readonly value: string;
}

export function readRedirectRequest(rawQuery: string): RedirectRequest {
  if (rawQuery.length > MAX_QUERY_CHARS) throw new RefusedRequest(`the query string is longer than ${MAX_QUERY_CHARS} characters`);
  const parameters = queryParameters(rawQuery);
  const samlRequest = parameters.get('SAMLRequest');
  if (!samlRequest) throw new RefusedRequest('the query carries no SAMLRequest');
  const relayState = parameters.get('RelayState');
  if (relayState && Buffer.byteLength(relayState.value, 'utf8') > MAX_RELAY_STATE_BYTES) {
    throw new RefusedRequest(`RelayState is longer than ${MAX_RELAY_STATE_BYTES} bytes`);
  }
  const message = parseSamlMessage(inflate(decodeBase64(samlRequest.value)));
  return {
    message,
    relayState: relayState?.value,
    verifySignature: (signingCertificatePem) => {
      const algorithm = parameters.get('SigAlg');
      const signature = parameters.get('Signature');
      if (!algorithm || !signature) throw new RefusedRequest(`the ${message.localName} is not signed; Entra requires signed requests from this application`);
      const keyType = SIGNATURE_ALGORITHMS[algorithm.value];
      if (!keyType) throw new RefusedRequest(`SigAlg "${algorithm.value}" is not accepted; use RSA-SHA256 or ECDSA-SHA256`);
      const publicKey = new X509Certificate(signingCertificatePem).publicKey;
      if (publicKey.asymmetricKeyType !== keyType) {
        throw new RefusedRequest(`SigAlg "${algorithm.value}" does not match the registered ${publicKey.asymmetricKeyType ?? 'unknown'} signing certificate`);
      }
      // SAML bindings 3.4.4.1: these parameters in this order, exactly as they were URL-encoded.
      const signedParameters = [
        ['SAMLRequest', samlRequest],
        ['RelayState', relayState],
        ['SigAlg', algorithm],
      ] as const;
      const signedOctets = signedParameters.flatMap(([name, parameter]) => (parameter ? [`${name}=${parameter.raw}`] : [])).join('&');
      // ECDSA signatures in XML Signature are DER-encoded (RFC 4051), which is Node's default.
      if (!verify('sha256', Buffer.from(signedOctets, 'utf8'), publicKey, decodeBase64(signature.value))) {
        throw new RefusedRequest(`the signature of the ${message.localName} does not verify with the registered signing certificate`);
      }
    },
  };
}

/** The query string of a redirect to `destination` carrying `messageXml` (deflated, base64) and the RelayState. */
export function redirectUrl(destination: string, parameter: 'SAMLResponse', messageXml: string, relayState: string | undefined): string {
  const url = new URL(destination);
  url.searchParams.append(parameter, deflateRawSync(Buffer.from(messageXml, 'utf8')).toString('base64'));
  if (relayState !== undefined) url.searchParams.append('RelayState', relayState);
  return url.href;
}

/** A parameter given twice would let the signature check and the message reader each pick another one. */
function queryParameters(rawQuery: string): Map<string, QueryParameter> {
  const parameters = new Map<string, QueryParameter>();
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const separator = pair.indexOf('=');
    const name = formDecode(separator === -1 ? pair : pair.slice(0, separator));
    const raw = separator === -1 ? '' : pair.slice(separator + 1);
    if (parameters.has(name)) throw new RefusedRequest(`query parameter ${name} appears twice`);
    parameters.set(name, { raw, value: formDecode(raw) });
  }
  return parameters;
}

function formDecode(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch (error) {
    throw new RefusedRequest('the query string is not correctly URL-encoded', { cause: error });
  }
}

/** Node's decoder skips characters it does not know; a strict check keeps two spellings from meaning one message. */
function decodeBase64(encoded: string): Buffer {
  const compact = encoded.replace(/[\r\n]/g, '');
  if (!STRICT_BASE64.test(compact)) throw new RefusedRequest('a SAML parameter is not valid base64');
  return Buffer.from(compact, 'base64');
}

function inflate(deflated: Buffer): string {
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(deflated, { maxOutputLength: MAX_MESSAGE_BYTES });
  } catch (error) {
    throw new RefusedRequest(`SAMLRequest does not inflate to a message of at most ${MAX_MESSAGE_BYTES} bytes`, { cause: error });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(inflated);
  } catch (error) {
    throw new RefusedRequest('SAMLRequest is not UTF-8', { cause: error });
  }
}
