import { createHash, KeyObject, sign, webcrypto } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import {
  BasicOCSPResponse,
  CertID,
  CertStatus,
  id_pkix_ocsp_basic,
  KeyHash,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  ResponderID,
  ResponseBytes,
  ResponseData,
  RevokedInfo,
  SingleResponse,
} from '@peculiar/asn1-ocsp';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { issueCertificate, type IssuedCertificate } from '@veilig/platform-pki';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { OcspStapler, type OcspStaplerLogger } from './ocsp-stapler.js';
import { tlsContextOptions } from './tls-policy.js';

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const HOUR_MS = 60 * 60_000;

/** What the test responder signs; every field can be bent to produce one specific defect. */
interface ResponderAnswer {
  readonly signer: IssuedCertificate;
  readonly certificates?: readonly IssuedCertificate[];
  readonly status?: 'good' | 'revoked';
  readonly serialNumber?: ArrayBuffer;
  readonly thisUpdate?: Date;
  readonly nextUpdate?: Date;
}

interface TestResponder {
  readonly url: string;
  /** Serial numbers (hex) of the certificates asked about, in order. */
  readonly requestedSerials: string[];
  answer: ResponderAnswer | 'oversized' | 'unavailable' | 'never';
}

interface StapledStatus {
  readonly serialNumber: string;
  readonly status: 'good' | 'revoked' | 'unknown';
}

const cleanups: (() => Promise<void> | void)[] = [];
let root: IssuedCertificate;

beforeAll(async () => {
  root = await issueCertificate({ subject: 'CN=Veilig OCSP Test Root', isCa: true });
});

afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('OcspStapler', () => {
  it('[TH-12] staples a verified good response that a requestOCSP client receives for the served certificate', async () => {
    const responder = await startResponder();
    responder.answer = { signer: root };
    const leaf = await issueLeaf(responder.url);
    const { port } = await startStaplingServer(leaf);

    const staple = await handshakeForStaple(port);

    expect(OcspStapler.responderUrl(chainOf(leaf))).toBe(responder.url);
    expect(responder.requestedSerials).toEqual([serialHex(leaf)]);
    expect(staple && parseStaple(staple)).toEqual({ serialNumber: serialHex(leaf), status: 'good' });
  });

  it('[TH-12] the staple is sent on TLS 1.2 handshakes as well', async () => {
    const responder = await startResponder();
    responder.answer = { signer: root };
    const leaf = await issueLeaf(responder.url);
    const { port } = await startStaplingServer(leaf);

    const staple = await handshakeForStaple(port, root.certPem, 'TLSv1.2');

    expect(staple && parseStaple(staple)).toEqual({ serialNumber: serialHex(leaf), status: 'good' });
  });

  it('[TH-12] staples a revoked answer too, and warns about it', async () => {
    const responder = await startResponder();
    responder.answer = { signer: root, status: 'revoked' };
    const leaf = await issueLeaf(responder.url);
    const { port, warnings } = await startStaplingServer(leaf);

    const staple = await handshakeForStaple(port);

    expect(staple && parseStaple(staple)).toEqual({ serialNumber: serialHex(leaf), status: 'revoked' });
    expect(warnings.join('\n')).toMatch(/REVOKED/);
  });

  it('[TH-12] a certificate without an OCSP URL gets no staple and causes no outgoing request', async () => {
    const responder = await startResponder();
    responder.answer = { signer: root };
    const leaf = await issueLeaf(undefined);
    const { port } = await startStaplingServer(leaf);

    const staple = await handshakeForStaple(port);

    expect(OcspStapler.responderUrl(chainOf(leaf))).toBeUndefined();
    expect(staple).toBeNull();
    expect(responder.requestedSerials).toEqual([]);
  });

  it('[TH-12] a self-signed certificate naming a responder is inert: there is no issuer to build the CertID from', async () => {
    const responder = await startResponder();
    responder.answer = { signer: root };
    const selfSigned = await issueCertificate({ subject: 'CN=localhost', ipAddresses: ['127.0.0.1'], ocspUrl: responder.url });
    const { port } = await startStaplingServer(selfSigned, { chainPem: selfSigned.certPem });

    expect(await handshakeForStaple(port, selfSigned.certPem)).toBeNull();
    expect(responder.requestedSerials).toEqual([]);
  });

  it('[TH-12] with the responder down the server still handshakes, without a staple', async () => {
    const responder = await startResponder();
    const unreachableUrl = responder.url;
    await closeResponder(responder);
    const leaf = await issueLeaf(unreachableUrl);
    const { port, warnings } = await startStaplingServer(leaf);

    expect(await handshakeForStaple(port)).toBeNull();
    expect(warnings.join('\n')).toMatch(/refresh failed/);
  });

  it('[TH-12] a responder that never answers is abandoned after the fetch timeout', async () => {
    const responder = await startResponder();
    responder.answer = 'never';
    const leaf = await issueLeaf(responder.url);
    const { port, warnings } = await startStaplingServer(leaf, { fetchTimeoutMs: 200 });

    expect(await handshakeForStaple(port)).toBeNull();
    expect(warnings.join('\n')).toMatch(/refresh failed/);
  });

  it('[TH-12] an oversized response is refused', async () => {
    const responder = await startResponder();
    responder.answer = 'oversized';
    const leaf = await issueLeaf(responder.url);
    const { port } = await startStaplingServer(leaf);

    expect(await handshakeForStaple(port)).toBeNull();
    expect(responder.requestedSerials).toEqual([serialHex(leaf)]);
  });

  it('[TH-12] a response signed by a key other than the issuer is not stapled', async () => {
    const responder = await startResponder();
    const impostor = await issueCertificate({ subject: 'CN=Veilig OCSP Test Root', isCa: true });
    responder.answer = { signer: impostor };
    const leaf = await issueLeaf(responder.url);
    const { port, warnings } = await startStaplingServer(leaf);

    expect(await handshakeForStaple(port)).toBeNull();
    expect(warnings.join('\n')).toMatch(/not signed by the issuer/);
  });

  it('[TH-12] a response for another serial number is not stapled', async () => {
    const responder = await startResponder();
    const otherLeaf = await issueLeaf(responder.url);
    responder.answer = { signer: root, serialNumber: serialBytes(otherLeaf) };
    const leaf = await issueLeaf(responder.url);
    const { port, warnings } = await startStaplingServer(leaf);

    expect(await handshakeForStaple(port)).toBeNull();
    expect(warnings.join('\n')).toMatch(/does not cover the server certificate/);
  });

  it('[TH-12] an expired response (nextUpdate passed) is not stapled', async () => {
    const responder = await startResponder();
    responder.answer = { signer: root, thisUpdate: secondsAgo(2 * HOUR_MS), nextUpdate: secondsAgo(HOUR_MS) };
    const leaf = await issueLeaf(responder.url);
    const { port, warnings } = await startStaplingServer(leaf);

    expect(await handshakeForStaple(port)).toBeNull();
    expect(warnings.join('\n')).toMatch(/expired/);
  });

  it('[TH-12] a response from a delegated responder certificate with the OCSPSigning EKU is stapled', async () => {
    const responder = await startResponder();
    const delegate = await issueCertificate({ subject: 'CN=Veilig OCSP Responder', issuer: root, extendedKeyUsages: ['ocspSigning'] });
    responder.answer = { signer: delegate, certificates: [delegate] };
    const leaf = await issueLeaf(responder.url);
    const { port } = await startStaplingServer(leaf);

    const staple = await handshakeForStaple(port);

    expect(staple && parseStaple(staple)).toEqual({ serialNumber: serialHex(leaf), status: 'good' });
  });

  it('[TH-12] a delegated responder certificate without the OCSPSigning EKU is not trusted', async () => {
    const responder = await startResponder();
    const delegate = await issueCertificate({ subject: 'CN=Veilig Not A Responder', issuer: root, extendedKeyUsages: ['serverAuth'] });
    responder.answer = { signer: delegate, certificates: [delegate] };
    const leaf = await issueLeaf(responder.url);
    const { port } = await startStaplingServer(leaf);

    expect(await handshakeForStaple(port)).toBeNull();
  });

  it('[TH-12] a scheduled refresh replaces the staple with the responder\'s newer answer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const responder = await startResponder();
    responder.answer = { signer: root };
    const leaf = await issueLeaf(responder.url);
    const { port } = await startStaplingServer(leaf);
    responder.answer = { signer: root, status: 'revoked' };

    vi.runOnlyPendingTimers();

    await vi.waitFor(async () => {
      const staple = await handshakeForStaple(port);
      expect(staple && parseStaple(staple)).toEqual({ serialNumber: serialHex(leaf), status: 'revoked' });
    });
  });

  it('[TH-12] a failed refresh keeps the previous response while it is still valid, and retries', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const responder = await startResponder();
    responder.answer = { signer: root };
    const leaf = await issueLeaf(responder.url);
    const { port, warnings } = await startStaplingServer(leaf);
    responder.answer = 'unavailable';

    vi.runOnlyPendingTimers();
    await vi.waitFor(() => expect(warnings.join('\n')).toMatch(/refresh failed.*"keptPreviousResponse":true/));

    const staple = await handshakeForStaple(port);
    expect(staple && parseStaple(staple)).toEqual({ serialNumber: serialHex(leaf), status: 'good' });
    expect(responder.requestedSerials).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(1);
  });

  it('[TH-12] a staple stops being sent once its nextUpdate has passed', async () => {
    const responder = await startResponder();
    responder.answer = { signer: root, nextUpdate: new Date(Math.ceil((Date.now() + 2_000) / 1000) * 1000) };
    const leaf = await issueLeaf(responder.url);
    const { port } = await startStaplingServer(leaf);

    expect(await handshakeForStaple(port)).not.toBeNull();
    await vi.waitFor(async () => expect(await handshakeForStaple(port)).toBeNull(), { timeout: 10_000, interval: 250 });
  });

  it('[TH-12] after replaceChain the staple follows the new certificate, never the old one', async () => {
    const responder = await startResponder();
    responder.answer = { signer: root };
    const oldLeaf = await issueLeaf(responder.url);
    const newLeaf = await issueLeaf(responder.url);
    const { stapler, server, port } = await startStaplingServer(oldLeaf);

    await stapler.replaceChain(chainOf(newLeaf));
    const stapleBeforeContextSwap = await handshakeForStaple(port);
    server.setSecureContext(tlsContextOptions({ cert: chainOf(newLeaf), key: newLeaf.keyPem }));
    const stapleAfterContextSwap = await handshakeForStaple(port);

    expect(stapleBeforeContextSwap).toBeNull();
    expect(stapleAfterContextSwap && parseStaple(stapleAfterContextSwap)).toEqual({ serialNumber: serialHex(newLeaf), status: 'good' });
    expect(responder.requestedSerials).toEqual([serialHex(oldLeaf), serialHex(newLeaf)]);
  });
});

function issueLeaf(ocspUrl: string | undefined): Promise<IssuedCertificate> {
  return issueCertificate({
    subject: 'CN=localhost',
    issuer: root,
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    extendedKeyUsages: ['serverAuth'],
    ocspUrl,
  });
}

function chainOf(leaf: IssuedCertificate): string {
  return leaf.certPem + root.certPem;
}

async function startStaplingServer(
  leaf: IssuedCertificate,
  overrides: { chainPem?: string; fetchTimeoutMs?: number } = {},
): Promise<{ stapler: OcspStapler; server: tls.Server; port: number; warnings: string[] }> {
  const chainPem = overrides.chainPem ?? chainOf(leaf);
  const warnings: string[] = [];
  const logger: OcspStaplerLogger = {
    warn: (obj, msg) => warnings.push(`${msg} ${JSON.stringify(obj, (_key, value) => (value instanceof Error ? value.message : value))}`),
    info: () => undefined,
  };
  const stapler = new OcspStapler({ certChainPem: chainPem, logger, fetchTimeoutMs: overrides.fetchTimeoutMs });
  cleanups.push(() => stapler.stop());
  const server = tls.createServer(tlsContextOptions({ cert: chainPem, key: leaf.keyPem }), (socket) => socket.end());
  stapler.attach(server);
  await stapler.start();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { stapler, server, port: (server.address() as AddressInfo).port, warnings };
}

/** Completes a verified handshake and returns what the server stapled (null when nothing). */
function handshakeForStaple(port: number, ca = root.certPem, maxVersion: tls.SecureVersion = 'TLSv1.3'): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    let staple: Buffer | null = null;
    // tls.connect forwards requestOCSP to the TLSSocket, but @types/node only declares it on TLSSocketOptions.
    const options: tls.ConnectionOptions & Pick<tls.TLSSocketOptions, 'requestOCSP'> = { host: '127.0.0.1', port, ca, maxVersion, requestOCSP: true };
    const socket = tls.connect(options);
    cleanups.push(() => void socket.destroy());
    socket.on('OCSPResponse', (response: Buffer | null) => {
      staple = response;
    });
    socket.once('secureConnect', () => {
      resolve(staple);
      socket.end();
    });
    socket.once('error', reject);
  });
}

function parseStaple(der: Buffer): StapledStatus {
  const envelope = AsnConvert.parse(der, OCSPResponse);
  expect(envelope.responseStatus).toBe(OCSPResponseStatus.successful);
  expect(envelope.responseBytes?.responseType).toBe(id_pkix_ocsp_basic);
  const basic = AsnConvert.parse(envelope.responseBytes!.response, BasicOCSPResponse);
  const [single] = basic.tbsResponseData.responses;
  const { certStatus } = single;
  return {
    serialNumber: Buffer.from(single.certID.serialNumber).toString('hex'),
    status: certStatus.good === null ? 'good' : certStatus.revoked ? 'revoked' : 'unknown',
  };
}

function serialBytes(certificate: IssuedCertificate): ArrayBuffer {
  return AsnConvert.parse(certificate.certificate.rawData, Certificate).tbsCertificate.serialNumber;
}

function serialHex(certificate: IssuedCertificate): string {
  return Buffer.from(serialBytes(certificate)).toString('hex');
}

/** GeneralizedTime in OCSP carries whole seconds. */
function secondsAgo(milliseconds: number): Date {
  return new Date(Math.floor((Date.now() - milliseconds) / 1000) * 1000);
}

/** A minimal RFC 6960 responder: answers whatever CertID it is asked about, signed as `answer` says. */
async function startResponder(): Promise<TestResponder> {
  const requestedSerials: string[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const ocspRequest = AsnConvert.parse(Buffer.concat(chunks), OCSPRequest);
      const [{ reqCert }] = ocspRequest.tbsRequest.requestList;
      requestedSerials.push(Buffer.from(reqCert.serialNumber).toString('hex'));
      const { answer } = responder;
      if (answer === 'never') return;
      if (answer === 'unavailable') {
        response.writeHead(503).end();
        return;
      }
      if (answer === 'oversized') {
        response.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.alloc(100 * 1024));
        return;
      }
      signResponse(reqCert, answer).then(
        (der) => response.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(der),
        () => response.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const responder: TestResponder & { server: http.Server } = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requestedSerials,
    answer: 'never',
    server,
  };
  cleanups.push(() => closeResponder(responder));
  return responder;
}

function closeResponder(responder: TestResponder): Promise<void> {
  const { server } = responder as TestResponder & { server: http.Server };
  if (!server.listening) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function signResponse(requested: CertID, answer: ResponderAnswer): Promise<Buffer> {
  const certID = answer.serialNumber ? new CertID({ ...requested, serialNumber: answer.serialNumber }) : requested;
  const thisUpdate = answer.thisUpdate ?? secondsAgo(60_000);
  const certStatus =
    answer.status === 'revoked'
      ? new CertStatus({ revoked: new RevokedInfo({ revocationTime: secondsAgo(HOUR_MS) }) })
      : new CertStatus({ good: null });
  const signerSpki = AsnConvert.parse(await webcrypto.subtle.exportKey('spki', answer.signer.keys.publicKey), SubjectPublicKeyInfo);
  const tbsResponseData = new ResponseData({
    responderID: new ResponderID({ byKey: new KeyHash(createHash('sha1').update(Buffer.from(signerSpki.subjectPublicKey)).digest()) }),
    producedAt: thisUpdate,
    responses: [
      new SingleResponse({ certID, certStatus, thisUpdate, nextUpdate: answer.nextUpdate ?? new Date(thisUpdate.getTime() + 24 * HOUR_MS) }),
    ],
  });
  const signature = sign('sha256', Buffer.from(AsnConvert.serialize(tbsResponseData)), KeyObject.from(answer.signer.keys.privateKey));
  const basic = new BasicOCSPResponse({
    tbsResponseData,
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 }),
    signature: Uint8Array.from(signature).buffer,
    certs: answer.certificates?.map((certificate) => AsnConvert.parse(certificate.certificate.rawData, Certificate)),
  });
  const envelope = new OCSPResponse({
    responseStatus: OCSPResponseStatus.successful,
    responseBytes: new ResponseBytes({ responseType: id_pkix_ocsp_basic, response: new OctetString(AsnConvert.serialize(basic)) }),
  });
  return Buffer.from(AsnConvert.serialize(envelope));
}
