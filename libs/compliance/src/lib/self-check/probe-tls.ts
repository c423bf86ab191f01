import { X509Certificate } from 'node:crypto';
import { connect as netConnect, isIP } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, type ConnectionOptions, type SecureVersion, type TLSSocket, type TLSSocketOptions } from 'node:tls';
import { buildClientHello, parseServerAnswer, SSL3_VERSION, TLS12_VERSION } from './client-hello.js';
import { TLS12_PROBE_SUITES, TLS13_PROBE_SUITES, type Tls12CipherSuite, type Tls13CipherSuite } from './cipher-suites.js';

export const HANDSHAKE_TIMEOUT_MS = 5_000;

export interface TlsTarget {
  /** Host name or IP address, without brackets. */
  readonly host: string;
  readonly port: number;
  /** Trust anchors (PEM); Node's bundled Mozilla root store when omitted. */
  readonly ca?: string;
}

export type ProtocolName = 'SSLv3' | 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

export const PROTOCOL_LABELS: Readonly<Record<ProtocolName, string>> = {
  SSLv3: 'SSL 3.0',
  TLSv1: 'TLS 1.0',
  'TLSv1.1': 'TLS 1.1',
  'TLSv1.2': 'TLS 1.2',
  'TLSv1.3': 'TLS 1.3',
};

/**
 * `handshake`: node:tls completed a full handshake. `server-hello`: this Node's OpenSSL cannot
 * offer the suite, so a hand-made ClientHello asked for it and the ServerHello was read.
 */
export type ProbeMethod = 'handshake' | 'server-hello';

export interface Tls12SuiteResult {
  readonly suite: Tls12CipherSuite;
  readonly accepted: boolean;
  readonly method: ProbeMethod;
  /** Size of the server's finite-field DH group, for DHE suites completed by a full handshake. */
  readonly dhGroupBits?: number;
}

export interface Tls13SuiteResult {
  readonly suite: Tls13CipherSuite;
  readonly accepted: boolean;
}

export type KeyType = 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448' | 'dsa' | 'unknown';

export interface CertificateFacts {
  readonly subject: string;
  readonly issuer: string;
  readonly keyType: KeyType;
  /** RSA/DSA modulus length, or the curve size for EC and EdDSA keys. */
  readonly keyBits: number;
  /** e.g. `P-256`, for EC keys. */
  readonly curve?: string;
  readonly validFrom: Date;
  readonly validTo: Date;
  /** The chain verified against the trust anchors (validity dates included). */
  readonly trusted: boolean;
  /** OpenSSL's verdict when not trusted, e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`. */
  readonly trustError?: string;
  readonly matchesHost: boolean;
  readonly hostError?: string;
}

export type RenegotiationOutcome = 'accepted' | 'refused' | 'not-tested';

export interface TlsProbeResult {
  readonly protocols: Readonly<Record<ProtocolName, boolean>>;
  readonly tls12Suites: readonly Tls12SuiteResult[];
  readonly tls13Suites: readonly Tls13SuiteResult[];
  readonly certificate: CertificateFacts;
  readonly ocspStapled: boolean;
  readonly clientRenegotiation: RenegotiationOutcome;
  /** The server handed out a TLS 1.2 session ticket; undefined when TLS 1.2 could not be tested. */
  readonly tls12SessionTickets: boolean | undefined;
}

/** The target cannot be probed at all: nothing listens, the name does not resolve, or no TLS is spoken. */
export class TlsUnreachableError extends Error {}

type ProgressListener = (message: string) => void;

/**
 * Probes one endpoint over real sockets, one handshake at a time (about 40), so rate limits and
 * intrusion detection see ordinary traffic. Every probe has its own timeout; a server that drops
 * a hello is counted as refusing it.
 */
export async function probeTls(target: TlsTarget, onProgress: ProgressListener = () => undefined): Promise<TlsProbeResult> {
  await assertReachable(target);
  const protocols = await probeProtocols(target, onProgress);
  if (!Object.values(protocols).some(Boolean)) {
    throw new TlsUnreachableError('no TLS or SSL version was accepted (is this an HTTPS port?)');
  }
  onProgress('certificate: verifying chain, host name and OCSP staple');
  const { certificate, ocspStapled } = await inspectCertificate(target);
  const tls12Suites = protocols['TLSv1.2'] ? await probeTls12Suites(target, onProgress) : [];
  const tls13Suites = protocols['TLSv1.3'] ? await probeTls13Suites(target, onProgress) : [];
  const clientRenegotiation = protocols['TLSv1.2'] ? await probeClientRenegotiation(target) : 'not-tested';
  onProgress(`client-initiated renegotiation: ${clientRenegotiation}`);
  const tls12SessionTickets = protocols['TLSv1.2'] ? await probeSessionTickets(target) : undefined;
  onProgress(`TLS 1.2 session tickets: ${tls12SessionTickets === undefined ? 'not tested' : tls12SessionTickets ? 'issued' : 'none'}`);
  return { protocols, tls12Suites, tls13Suites, certificate, ocspStapled, clientRenegotiation, tls12SessionTickets };
}

function assertReachable(target: TlsTarget): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: target.host, port: target.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TlsUnreachableError(`no answer within ${HANDSHAKE_TIMEOUT_MS / 1000} s`));
    }, HANDSHAKE_TIMEOUT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new TlsUnreachableError(describeNetworkError(error)));
    });
  });
}

/** Words an operator understands for the errors a TCP connect can end in. */
export function describeNetworkError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'EHOSTUNREACH':
      return 'host unreachable';
    case 'ENETUNREACH':
      return 'network unreachable';
    case 'ECONNRESET':
      return 'connection reset by the server';
    default:
      return error.message;
  }
}

async function probeProtocols(target: TlsTarget, onProgress: ProgressListener): Promise<Record<ProtocolName, boolean>> {
  const secureVersions: ReadonlyArray<Exclude<ProtocolName, 'SSLv3'>> = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
  // OpenSSL 3 no longer implements SSL 3.0, so only a hand-made hello can ask for it.
  const ssl3 = await probeSsl3(target);
  onProgress(`${PROTOCOL_LABELS.SSLv3}: ${ssl3 ? 'accepted' : 'refused'}`);
  const protocols: Record<ProtocolName, boolean> = { SSLv3: ssl3, TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': false };
  for (const version of secureVersions) {
    const outcome = await attemptHandshake(target, {
      minVersion: version as SecureVersion,
      maxVersion: version as SecureVersion,
      // OpenSSL 3 refuses TLS 1.0/1.1 and small keys at its default security level; level 0 lets this client ask.
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    protocols[version] = outcome.accepted;
    onProgress(`${PROTOCOL_LABELS[version]}: ${outcome.accepted ? 'accepted' : 'refused'}`);
  }
  return protocols;
}

/** What an SSL 3.0 server could pick: RSA and DHE with AES-CBC, 3DES and RC4, and the ECDHE ones OpenSSL 1.0 allowed there. */
const SSL3_CIPHER_SUITES = [0xc014, 0xc013, 0xc012, 0xc011, 0x0039, 0x0033, 0x0016, 0x0035, 0x002f, 0x000a, 0x0005, 0x0004];

async function probeSsl3(target: TlsTarget): Promise<boolean> {
  const answer = await sendClientHello(target, SSL3_VERSION, SSL3_CIPHER_SUITES);
  return answer?.kind === 'server-hello' && answer.version === SSL3_VERSION;
}

async function probeTls12Suites(target: TlsTarget, onProgress: ProgressListener): Promise<Tls12SuiteResult[]> {
  const results: Tls12SuiteResult[] = [];
  for (const suite of TLS12_PROBE_SUITES) {
    const result = await probeTls12Suite(target, suite);
    results.push(result);
    const how = result.method === 'server-hello' ? ' (ServerHello only: this Node cannot offer it)' : '';
    onProgress(`TLS 1.2 ${suite.name}: ${result.accepted ? 'accepted' : 'refused'}${how}`);
  }
  return results;
}

async function probeTls12Suite(target: TlsTarget, suite: Tls12CipherSuite): Promise<Tls12SuiteResult> {
  const outcome = await attemptHandshake(target, {
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.2',
    ciphers: `${suite.name}:@SECLEVEL=0`,
  });
  if (outcome.clientCannotOffer) {
    const answer = await sendClientHello(target, TLS12_VERSION, [suite.code]);
    const accepted = answer?.kind === 'server-hello' && answer.version === TLS12_VERSION && answer.cipherSuite === suite.code;
    return { suite, accepted, method: 'server-hello' };
  }
  return { suite, accepted: outcome.accepted, method: 'handshake', ...(outcome.dhGroupBits ? { dhGroupBits: outcome.dhGroupBits } : {}) };
}

async function probeTls13Suites(target: TlsTarget, onProgress: ProgressListener): Promise<Tls13SuiteResult[]> {
  const results: Tls13SuiteResult[] = [];
  for (const suite of TLS13_PROBE_SUITES) {
    // node:tls routes TLS_* names in `ciphers` to the TLS 1.3 suite list.
    const outcome = await attemptHandshake(target, { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: suite.name });
    results.push({ suite, accepted: outcome.accepted });
    onProgress(`TLS 1.3 ${suite.name}: ${outcome.accepted ? 'accepted' : 'refused'}`);
  }
  return results;
}

interface HandshakeOutcome {
  readonly accepted: boolean;
  /** The local OpenSSL has no such cipher, so the question was never put to the server. */
  readonly clientCannotOffer: boolean;
  readonly dhGroupBits?: number;
}

async function attemptHandshake(target: TlsTarget, options: ConnectionOptions): Promise<HandshakeOutcome> {
  try {
    const { socket } = await openTls(target, options);
    const ephemeral = socket.getEphemeralKeyInfo();
    socket.destroy();
    const dhGroupBits = ephemeral && 'type' in ephemeral && ephemeral.type === 'DH' ? ephemeral.size : undefined;
    return { accepted: true, clientCannotOffer: false, ...(dhGroupBits ? { dhGroupBits } : {}) };
  } catch (error) {
    return { accepted: false, clientCannotOffer: (error as NodeJS.ErrnoException).code === 'ERR_SSL_NO_CIPHER_MATCH' };
  }
}

interface OpenedTls {
  readonly socket: TLSSocket;
  readonly ocspResponse: Buffer | undefined;
}

/** tls.connect passes requestOCSP on to the TLSSocket; @types/node only declares it there. */
type ProbeConnectionOptions = ConnectionOptions & Pick<TLSSocketOptions, 'requestOCSP'>;

/** A completed handshake (the caller destroys the socket), or the reason there was none. */
function openTls(target: TlsTarget, options: ProbeConnectionOptions): Promise<OpenedTls> {
  return new Promise((resolve, reject) => {
    let socket: TLSSocket;
    try {
      socket = tlsConnect({
        host: target.host,
        port: target.port,
        servername: isIP(target.host) ? undefined : target.host,
        ca: target.ca,
        // Probes must see what the server offers even when the chain is bad; trust is judged separately.
        rejectUnauthorized: false,
        ...options,
      });
    } catch (error) {
      reject(error);
      return;
    }
    let ocspResponse: Buffer | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('TLS handshake timed out'));
    }, HANDSHAKE_TIMEOUT_MS);
    // Emitted with null when the client asked for a staple and the server sent none.
    socket.once('OCSPResponse', (response: Buffer | null) => {
      ocspResponse = response ?? undefined;
    });
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      // A late reset from the server must not surface as an unhandled error after the caller is done.
      socket.on('error', () => undefined);
      resolve({ socket, ocspResponse });
    });
    const onError = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    socket.once('error', onError);
  });
}

async function inspectCertificate(target: TlsTarget): Promise<{ certificate: CertificateFacts; ocspStapled: boolean }> {
  const { socket, ocspResponse } = await openTls(target, { requestOCSP: true, minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }).catch(
    (error: Error) => {
      throw new TlsUnreachableError(`no TLS handshake completed to read the certificate (${error.message.trim()})`);
    },
  );
  try {
    const peer = socket.getPeerCertificate(true);
    const leaf = new X509Certificate(peer.raw);
    const details = leaf.publicKey.asymmetricKeyDetails;
    const keyType = keyTypeOf(leaf.publicKey.asymmetricKeyType);
    const hostError = checkServerIdentity(target.host, peer);
    const certificate: CertificateFacts = {
      subject: leaf.subject.replaceAll('\n', ', '),
      issuer: leaf.issuer.replaceAll('\n', ', '),
      keyType,
      keyBits: keyBitsOf(keyType, details?.modulusLength, peer.bits),
      ...(peer.nistCurve ? { curve: peer.nistCurve } : peer.asn1Curve ? { curve: peer.asn1Curve } : {}),
      validFrom: new Date(leaf.validFrom),
      validTo: new Date(leaf.validTo),
      trusted: socket.authorized,
      ...(socket.authorizationError ? { trustError: String(socket.authorizationError) } : {}),
      matchesHost: hostError === undefined,
      ...(hostError ? { hostError: hostError.message } : {}),
    };
    return { certificate, ocspStapled: ocspResponse !== undefined && ocspResponse.length > 0 };
  } finally {
    socket.destroy();
  }
}

const KEY_TYPES: readonly KeyType[] = ['rsa', 'rsa-pss', 'ec', 'ed25519', 'ed448', 'dsa'];

function keyTypeOf(asymmetricKeyType: string | undefined): KeyType {
  return KEY_TYPES.find((known) => known === asymmetricKeyType) ?? 'unknown';
}

function keyBitsOf(keyType: KeyType, modulusLength: number | undefined, peerBits: number | undefined): number {
  if (keyType === 'ed25519') return 256;
  if (keyType === 'ed448') return 456;
  return modulusLength ?? peerBits ?? 0;
}

/**
 * Client-initiated renegotiation lets one client make the server do a full handshake's work
 * again and again on one connection (the DoS testssl.sh reports); TLS 1.3 has none.
 */
async function probeClientRenegotiation(target: TlsTarget): Promise<RenegotiationOutcome> {
  let socket: TLSSocket;
  try {
    ({ socket } = await openTls(target, { maxVersion: 'TLSv1.2', ciphers: 'DEFAULT@SECLEVEL=0' }));
  } catch {
    return 'not-tested';
  }
  return new Promise((resolve) => {
    const settle = (outcome: RenegotiationOutcome) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => settle('not-tested'), HANDSHAKE_TIMEOUT_MS);
    socket.once('error', () => settle('refused'));
    socket.once('close', () => settle('refused'));
    const started = socket.renegotiate({ rejectUnauthorized: false }, (error) => settle(error ? 'refused' : 'accepted'));
    if (!started) settle('not-tested');
  });
}

/** In TLS 1.2 the ticket holds the session's master secret, sealed only by the server's ticket key. */
async function probeSessionTickets(target: TlsTarget): Promise<boolean | undefined> {
  try {
    const { socket } = await openTls(target, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'DEFAULT@SECLEVEL=0' });
    const ticket = socket.getTLSTicket();
    socket.destroy();
    return ticket !== undefined && ticket.length > 0;
  } catch {
    return undefined;
  }
}

/** Sends one hand-made ClientHello and reads the first answer; undefined when the server just closes or stays silent. */
export function sendClientHello(target: TlsTarget, version: number, cipherSuites: readonly number[]): Promise<ReturnType<typeof parseServerAnswer>> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: target.host, port: target.port });
    let received = Buffer.alloc(0);
    const settle = (answer: ReturnType<typeof parseServerAnswer>) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => settle(undefined), HANDSHAKE_TIMEOUT_MS);
    socket.once('connect', () => socket.write(buildClientHello({ version, cipherSuites, serverName: target.host })));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const answer = parseServerAnswer(received);
      if (answer) settle(answer);
    });
    socket.once('error', () => settle(undefined));
    socket.once('close', () => settle(undefined));
  });
}
