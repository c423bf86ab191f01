import { createHash, verify as verifySignature, X509Certificate, type KeyObject } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type tls from 'node:tls';
import {
  BasicOCSPResponse,
  CertID,
  id_pkix_ocsp_basic,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  Request,
  TBSRequest,
} from '@peculiar/asn1-ocsp';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AuthorityInfoAccessSyntax,
  Certificate,
  ExtendedKeyUsage,
  id_ad_ocsp,
  id_ce_extKeyUsage,
  id_kp_OCSPSigning,
  id_pe_authorityInfoAccess,
} from '@peculiar/asn1-x509';

export interface OcspStaplerLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface OcspStaplerOptions {
  /** Leaf certificate followed by its issuer(s), as in TLS_CERT_FILE. */
  readonly certChainPem: string;
  readonly logger: OcspStaplerLogger;
  readonly fetchTimeoutMs?: number;
}

const DEFAULT_FETCH_TIMEOUT_MS = 5_000;
const MAX_RESPONSE_BYTES = 64 * 1024;
const ALLOWED_CLOCK_SKEW_MS = 5 * 60_000;
const REFRESH_WITHOUT_NEXT_UPDATE_MS = 60 * 60_000;
const MIN_REFRESH_DELAY_MS = 30_000;
const FIRST_RETRY_DELAY_MS = 15_000;
const MAX_RETRY_DELAY_MS = 30 * 60_000;
/** setTimeout fires immediately for delays above 2^31-1 ms. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

const SHA1_OID = '1.3.14.3.2.26';
const CERT_ID_HASHES: Readonly<Record<string, string>> = {
  [SHA1_OID]: 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** The key type is checked too, so an RSA signature OID cannot be satisfied by an EC key or vice versa. */
const SIGNATURE_ALGORITHMS: Readonly<Record<string, { readonly hash: string | null; readonly keyType: string }>> = {
  '1.2.840.113549.1.1.11': { hash: 'sha256', keyType: 'rsa' },
  '1.2.840.113549.1.1.12': { hash: 'sha384', keyType: 'rsa' },
  '1.2.840.113549.1.1.13': { hash: 'sha512', keyType: 'rsa' },
  '1.2.840.10045.4.3.2': { hash: 'sha256', keyType: 'ec' },
  '1.2.840.10045.4.3.3': { hash: 'sha384', keyType: 'ec' },
  '1.2.840.10045.4.3.4': { hash: 'sha512', keyType: 'ec' },
  '1.3.101.112': { hash: null, keyType: 'ed25519' },
};

interface StaplingTarget {
  readonly leafDer: Buffer;
  readonly issuer: X509Certificate;
  readonly responderUrl: URL;
  readonly serialNumber: Buffer;
  readonly issuerNameDer: Buffer;
  readonly issuerPublicKeyBits: Buffer;
  /** Without a nonce the request never changes, so it is encoded once. */
  readonly requestDer: Buffer;
}

interface ValidatedResponse {
  readonly der: Buffer;
  readonly status: 'good' | 'revoked';
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
}

/**
 * Keeps a fresh, verified OCSP response for the server certificate and staples it to TLS
 * handshakes (TH-12). The handshake only ever reads the cache; fetching happens on timers, so a
 * slow or unreachable responder costs the client the staple, never the connection.
 */
export class OcspStapler {
  private readonly logger: OcspStaplerLogger;
  private readonly fetchTimeoutMs: number;
  private target: StaplingTarget | undefined;
  private cachedResponse: ValidatedResponse | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private consecutiveFailures = 0;
  /** Bumped by stop() and replaceChain() so that a fetch already in flight cannot install a stale result. */
  private epoch = 0;

  constructor(options: OcspStaplerOptions) {
    this.logger = options.logger;
    this.fetchTimeoutMs = options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
    this.target = this.stapleableTarget(options.certChainPem);
  }

  /** The leaf certificate's http(s) OCSP responder URL from Authority Information Access, if any. */
  static responderUrl(certChainPem: string): string | undefined {
    return ocspResponderUrl(parseCertificateChain(certChainPem)[0]);
  }

  /** Resolves after the first fetch attempt, whether or not it produced a response to staple. */
  async start(): Promise<void> {
    await this.refresh();
  }

  attach(server: tls.Server): void {
    server.on('OCSPRequest', (certificate, _issuer, callback) => callback(null, this.responseFor(certificate)));
  }

  /** Rejects, leaving the current state untouched, when the PEM does not parse. */
  async replaceChain(certChainPem: string): Promise<void> {
    const target = this.stapleableTarget(certChainPem);
    this.stop();
    this.target = target;
    this.cachedResponse = undefined;
    this.consecutiveFailures = 0;
    await this.refresh();
  }

  stop(): void {
    this.epoch += 1;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
  }

  private stapleableTarget(certChainPem: string): StaplingTarget | undefined {
    const [leaf, ...rest] = parseCertificateChain(certChainPem);
    const responderUrl = ocspResponderUrl(leaf);
    if (responderUrl === undefined) {
      this.logger.info({ subject: leaf.subject }, 'OCSP stapling not possible: certificate names no http(s) OCSP responder');
      return undefined;
    }
    const issuer = rest.find((candidate) => leaf.checkIssued(candidate) && leaf.verify(candidate.publicKey));
    if (!issuer) {
      this.logger.info({ subject: leaf.subject }, 'OCSP stapling not possible: the chain holds no issuer certificate');
      return undefined;
    }
    const leafFields = certificateFields(leaf.raw);
    const issuerFields = certificateFields(issuer.raw);
    return {
      leafDer: leaf.raw,
      issuer,
      responderUrl: new URL(responderUrl),
      serialNumber: leafFields.serialNumber,
      issuerNameDer: leafFields.issuerName,
      issuerPublicKeyBits: issuerFields.subjectPublicKeyBits,
      requestDer: encodeOcspRequest(leafFields.serialNumber, leafFields.issuerName, issuerFields.subjectPublicKeyBits),
    };
  }

  private responseFor(servedCertificate: Buffer): Buffer | null {
    const { target, cachedResponse } = this;
    // After a reload the server may still present the old certificate for a moment; its staple is gone.
    if (!target || !cachedResponse || !servedCertificate.equals(target.leafDer)) return null;
    if (cachedResponse.nextUpdate && cachedResponse.nextUpdate.getTime() <= Date.now()) {
      this.cachedResponse = undefined;
      return null;
    }
    return cachedResponse.der;
  }

  private async refresh(): Promise<void> {
    const target = this.target;
    if (!target) return;
    const epoch = this.epoch;
    let response: ValidatedResponse;
    try {
      const der = await postOcspRequest(target.responderUrl, target.requestDer, this.fetchTimeoutMs);
      response = validateOcspResponse(der, target, Date.now());
    } catch (error) {
      if (epoch === this.epoch) this.recordFailure(target, error);
      return;
    }
    if (epoch === this.epoch) this.adopt(target, response);
  }

  private adopt(target: StaplingTarget, response: ValidatedResponse): void {
    this.cachedResponse = response;
    this.consecutiveFailures = 0;
    this.scheduleRefresh(refreshDelayMs(response, Date.now()));
    const details = { responderUrl: target.responderUrl.href, thisUpdate: response.thisUpdate, nextUpdate: response.nextUpdate };
    if (response.status === 'revoked') {
      this.logger.warn(details, 'OCSP responder reports the server certificate as REVOKED; stapling that answer');
    } else {
      this.logger.info(details, 'OCSP response refreshed');
    }
  }

  private recordFailure(target: StaplingTarget, error: unknown): void {
    this.consecutiveFailures += 1;
    // A response without nextUpdate promises nothing about later, so it only lasts until the next refresh.
    const previousStillValid =
      this.cachedResponse?.nextUpdate !== undefined && this.cachedResponse.nextUpdate.getTime() > Date.now();
    if (!previousStillValid) this.cachedResponse = undefined;
    this.scheduleRefresh(Math.min(FIRST_RETRY_DELAY_MS * 2 ** (this.consecutiveFailures - 1), MAX_RETRY_DELAY_MS));
    this.logger.warn(
      { responderUrl: target.responderUrl.href, err: error, keptPreviousResponse: previousStillValid },
      'OCSP response refresh failed',
    );
  }

  private scheduleRefresh(delayMs: number): void {
    clearTimeout(this.refreshTimer);
    // Only a throwing logger can reject here; that must not become an unhandled rejection.
    this.refreshTimer = setTimeout(() => this.refresh().catch(() => undefined), delayMs);
    this.refreshTimer.unref();
  }
}

function refreshDelayMs(response: ValidatedResponse, now: number): number {
  if (!response.nextUpdate) return REFRESH_WITHOUT_NEXT_UPDATE_MS;
  const halfwayMs = (response.nextUpdate.getTime() - now) / 2;
  return Math.min(Math.max(halfwayMs, MIN_REFRESH_DELAY_MS), MAX_TIMER_DELAY_MS);
}

function ocspResponderUrl(leaf: X509Certificate): string | undefined {
  const certificate = AsnConvert.parse(leaf.raw, Certificate);
  const extension = certificate.tbsCertificate.extensions?.find((candidate) => candidate.extnID === id_pe_authorityInfoAccess);
  if (!extension) return undefined;
  return AsnConvert.parse(extension.extnValue, AuthorityInfoAccessSyntax)
    .filter((description) => description.accessMethod === id_ad_ocsp)
    .map((description) => description.accessLocation.uniformResourceIdentifier)
    .find((url): url is string => url !== undefined && isHttpUrl(url));
}

function isHttpUrl(candidate: string): boolean {
  try {
    const { protocol } = new URL(candidate);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function parseCertificateChain(certChainPem: string): [X509Certificate, ...X509Certificate[]] {
  const blocks = certChainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) throw new Error('No PEM certificate found in the certificate chain');
  const [leaf, ...rest] = blocks.map((block) => new X509Certificate(block));
  return [leaf, ...rest];
}

function encodeOcspRequest(serialNumber: Buffer, issuerNameDer: Buffer, issuerPublicKeyBits: Buffer): Buffer {
  // SHA-1 CertIDs are what RFC 5019 responders (Let's Encrypt and the like) index their answers by.
  const certId = new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: SHA1_OID, parameters: null }),
    issuerNameHash: new OctetString(digest('sha1', issuerNameDer)),
    issuerKeyHash: new OctetString(digest('sha1', issuerPublicKeyBits)),
    serialNumber: toArrayBuffer(serialNumber),
  });
  const request = new OCSPRequest({ tbsRequest: new TBSRequest({ requestList: [new Request({ reqCert: certId })] }) });
  return Buffer.from(AsnConvert.serialize(request));
}

function postOcspRequest(url: URL, requestDer: Buffer, timeoutMs: number): Promise<Buffer> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response', 'content-length': requestDer.length },
        // A pooled keep-alive socket would outlive the hourly refresh for nothing.
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`OCSP responder answered HTTP ${response.statusCode}`));
          return;
        }
        const chunks: Buffer[] = [];
        let receivedBytes = 0;
        response.on('data', (chunk: Buffer) => {
          receivedBytes += chunk.length;
          if (receivedBytes > MAX_RESPONSE_BYTES) {
            reject(new Error(`OCSP response exceeds ${MAX_RESPONSE_BYTES} bytes`));
            request.destroy();
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => resolve(Buffer.concat(chunks)));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(requestDer);
  });
}

function validateOcspResponse(der: Buffer, target: StaplingTarget, now: number): ValidatedResponse {
  const envelope = AsnConvert.parse(der, OCSPResponse);
  if (envelope.responseStatus !== OCSPResponseStatus.successful) {
    throw new Error(`OCSP responder returned status ${OCSPResponseStatus[envelope.responseStatus] ?? envelope.responseStatus}`);
  }
  if (envelope.responseBytes?.responseType !== id_pkix_ocsp_basic) throw new Error('OCSP response is not a BasicOCSPResponse');
  const basicDer = Buffer.from(envelope.responseBytes.response.buffer);
  const basic = AsnConvert.parse(basicDer, BasicOCSPResponse);
  verifyResponseSignature(basic, basicResponseParts(basicDer), target, now);

  const single = basic.tbsResponseData.responses.find((candidate) => certIdMatches(candidate.certID, target));
  if (!single) throw new Error('OCSP response does not cover the server certificate');
  if (single.thisUpdate.getTime() > now + ALLOWED_CLOCK_SKEW_MS) throw new Error('OCSP response thisUpdate lies in the future');
  if (single.nextUpdate && single.nextUpdate.getTime() <= now) throw new Error('OCSP response has expired (nextUpdate passed)');
  const status = single.certStatus.good === null ? 'good' : single.certStatus.revoked ? 'revoked' : undefined;
  if (!status) throw new Error('OCSP responder does not know the server certificate (status unknown)');
  return { der, status, thisUpdate: single.thisUpdate, nextUpdate: single.nextUpdate };
}

/**
 * Accepts a signature by the issuer or by a delegated responder certificate carried in the response
 * (RFC 6960 §4.2.2.2). Trying every authorised key rather than resolving responderID first is
 * equivalent, because only authorised keys are ever tried.
 */
function verifyResponseSignature(
  basic: BasicOCSPResponse,
  parts: { readonly signedData: Buffer; readonly certificates: readonly Buffer[] },
  target: StaplingTarget,
  now: number,
): void {
  const algorithm = SIGNATURE_ALGORITHMS[basic.signatureAlgorithm.algorithm];
  if (!algorithm) throw new Error(`Unsupported OCSP signature algorithm ${basic.signatureAlgorithm.algorithm}`);
  const signature = Buffer.from(basic.signature);
  const authorisedKeys: KeyObject[] = [
    target.issuer.publicKey,
    ...parts.certificates
      .map((certificateDer) => new X509Certificate(certificateDer))
      .filter((candidate) => isAuthorisedResponder(candidate, target.issuer, now))
      .map((responder) => responder.publicKey),
  ];
  const verified = authorisedKeys.some((key) => {
    if (key.asymmetricKeyType !== algorithm.keyType) return false;
    try {
      return verifySignature(algorithm.hash, parts.signedData, key, signature);
    } catch {
      return false;
    }
  });
  if (!verified) throw new Error('OCSP response is not signed by the issuer or an authorised responder');
}

function isAuthorisedResponder(candidate: X509Certificate, issuer: X509Certificate, now: number): boolean {
  if (!candidate.checkIssued(issuer) || !candidate.verify(issuer.publicKey)) return false;
  const { tbsCertificate } = AsnConvert.parse(candidate.raw, Certificate);
  const notBefore = tbsCertificate.validity.notBefore.getTime();
  const notAfter = tbsCertificate.validity.notAfter.getTime();
  if (notBefore.getTime() > now || notAfter.getTime() <= now) return false;
  const extendedKeyUsage = tbsCertificate.extensions?.find((extension) => extension.extnID === id_ce_extKeyUsage);
  return extendedKeyUsage !== undefined && AsnConvert.parse(extendedKeyUsage.extnValue, ExtendedKeyUsage).includes(id_kp_OCSPSigning);
}

function certIdMatches(certId: CertID, target: StaplingTarget): boolean {
  const hash = CERT_ID_HASHES[certId.hashAlgorithm.algorithm];
  return (
    hash !== undefined &&
    Buffer.from(certId.serialNumber).equals(target.serialNumber) &&
    Buffer.from(certId.issuerNameHash.buffer).equals(digest(hash, target.issuerNameDer)) &&
    Buffer.from(certId.issuerKeyHash.buffer).equals(digest(hash, target.issuerPublicKeyBits))
  );
}

function digest(algorithm: string, data: Buffer): Buffer {
  return createHash(algorithm).update(data).digest();
}

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return Uint8Array.from(bytes).buffer;
}

/*
 * Hashes and signatures cover exact encodings, which a decode/re-encode round trip through an ASN.1
 * library does not guarantee to reproduce. These few helpers cut the needed bytes straight out of
 * the DER instead.
 */

interface DerElement {
  readonly start: number;
  readonly tag: number;
  readonly contentStart: number;
  readonly end: number;
}

const DER_CONTEXT_0 = 0xa0;

function readDerElement(der: Buffer, start: number, limit = der.length): DerElement {
  if (start + 2 > limit) throw new Error('Truncated DER');
  const tag = der[start];
  let length = der[start + 1];
  let contentStart = start + 2;
  if (length & 0x80) {
    const lengthOctets = length & 0x7f;
    if (lengthOctets < 1 || lengthOctets > 4 || contentStart + lengthOctets > limit) throw new Error('Malformed DER length');
    length = der.readUIntBE(contentStart, lengthOctets);
    contentStart += lengthOctets;
  }
  const end = contentStart + length;
  if (end > limit) throw new Error('Truncated DER');
  return { start, tag, contentStart, end };
}

function derChildren(der: Buffer, parent: DerElement): DerElement[] {
  const children: DerElement[] = [];
  for (let offset = parent.contentStart; offset < parent.end; ) {
    const child = readDerElement(der, offset, parent.end);
    children.push(child);
    offset = child.end;
  }
  return children;
}

function certificateFields(certificateDer: Buffer): { serialNumber: Buffer; issuerName: Buffer; subjectPublicKeyBits: Buffer } {
  const [tbsCertificate] = derChildren(certificateDer, readDerElement(certificateDer, 0));
  const fields = derChildren(certificateDer, tbsCertificate);
  const [serialNumber, , issuerName, , , subjectPublicKeyInfo] = fields[0].tag === DER_CONTEXT_0 ? fields.slice(1) : fields;
  const [, subjectPublicKey] = derChildren(certificateDer, subjectPublicKeyInfo);
  return {
    serialNumber: certificateDer.subarray(serialNumber.contentStart, serialNumber.end),
    issuerName: certificateDer.subarray(issuerName.start, issuerName.end),
    // The key hash covers the BIT STRING's value, after its leading unused-bits octet.
    subjectPublicKeyBits: certificateDer.subarray(subjectPublicKey.contentStart + 1, subjectPublicKey.end),
  };
}

function basicResponseParts(basicDer: Buffer): { signedData: Buffer; certificates: Buffer[] } {
  const [tbsResponseData, , , certificatesField] = derChildren(basicDer, readDerElement(basicDer, 0));
  const certificates =
    certificatesField?.tag === DER_CONTEXT_0
      ? derChildren(basicDer, derChildren(basicDer, certificatesField)[0]).map((element) => basicDer.subarray(element.start, element.end))
      : [];
  return { signedData: basicDer.subarray(tbsResponseData.start, tbsResponseData.end), certificates };
}
