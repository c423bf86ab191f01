import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';

/*
 * A hand-made ClientHello for what this Node's OpenSSL cannot offer at all (SSL 3.0, 3DES, RC4):
 * the server's first answer (ServerHello or alert) shows whether it would accept the offer,
 * which is how testssl.sh probes with its own sockets. No key exchange follows, so nothing is
 * ever decrypted with these ciphers.
 */

export const SSL3_VERSION = 0x0300;
export const TLS10_VERSION = 0x0301;
export const TLS12_VERSION = 0x0303;

const RECORD_HANDSHAKE = 0x16;
const RECORD_ALERT = 0x15;
const HANDSHAKE_CLIENT_HELLO = 0x01;
const HANDSHAKE_SERVER_HELLO = 0x02;
const RECORD_HEADER_BYTES = 5;

const EXTENSION_SERVER_NAME = 0x0000;
const EXTENSION_SUPPORTED_GROUPS = 0x000a;
const EXTENSION_EC_POINT_FORMATS = 0x000b;
const EXTENSION_SIGNATURE_ALGORITHMS = 0x000d;
const EXTENSION_RENEGOTIATION_INFO = 0xff01;

/** x25519, secp256r1, secp384r1, secp521r1: without them a server cannot pick an ECDHE suite. */
const SUPPORTED_GROUPS = [0x001d, 0x0017, 0x0018, 0x0019];
/** ECDSA and RSA (PSS and PKCS#1) with SHA-2, then SHA-1 so that old servers still answer. */
const SIGNATURE_ALGORITHMS = [0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201];

export interface ClientHelloRequest {
  /** Highest protocol version offered: SSL3_VERSION or TLS12_VERSION. */
  readonly version: number;
  readonly cipherSuites: readonly number[];
  /** Sent as SNI unless it is an IP address (RFC 6066 forbids literal addresses there). */
  readonly serverName: string;
}

export function buildClientHello(request: ClientHelloRequest): Buffer {
  const extensions = Buffer.concat([
    ...(isIP(request.serverName) ? [] : [serverNameExtension(request.serverName)]),
    extension(EXTENSION_SUPPORTED_GROUPS, withLength16(uint16List(SUPPORTED_GROUPS))),
    extension(EXTENSION_EC_POINT_FORMATS, Buffer.from([1, 0])),
    extension(EXTENSION_SIGNATURE_ALGORITHMS, withLength16(uint16List(SIGNATURE_ALGORITHMS))),
    // An empty renegotiation_info: servers patched for CVE-2009-3555 may refuse a hello without it.
    extension(EXTENSION_RENEGOTIATION_INFO, Buffer.from([0])),
  ]);
  const body = Buffer.concat([
    uint16(request.version),
    randomBytes(32),
    Buffer.from([0]),
    withLength16(uint16List(request.cipherSuites)),
    Buffer.from([1, 0]),
    withLength16(extensions),
  ]);
  const handshake = Buffer.concat([Buffer.from([HANDSHAKE_CLIENT_HELLO]), uint24(body.length), body]);
  // Record-layer version 1.0 for TLS hellos, as browsers send it, so that old middleboxes pass it on.
  const recordVersion = request.version === SSL3_VERSION ? SSL3_VERSION : TLS10_VERSION;
  return Buffer.concat([Buffer.from([RECORD_HANDSHAKE]), uint16(recordVersion), uint16(handshake.length), handshake]);
}

export type ServerAnswer =
  | { readonly kind: 'server-hello'; readonly version: number; readonly cipherSuite: number }
  | { readonly kind: 'alert'; readonly description: number }
  | { readonly kind: 'unexpected' };

/** The server's answer once enough bytes have arrived to know it; undefined while more are needed. */
export function parseServerAnswer(bytes: Buffer): ServerAnswer | undefined {
  if (bytes.length < RECORD_HEADER_BYTES) return undefined;
  const contentType = bytes[0];
  const payload = bytes.subarray(RECORD_HEADER_BYTES);
  if (contentType === RECORD_ALERT) {
    return payload.length < 2 ? undefined : { kind: 'alert', description: payload[1] ?? 0 };
  }
  if (contentType !== RECORD_HANDSHAKE) return { kind: 'unexpected' };
  // type(1) length(3) version(2) random(32) session-id length(1)
  const sessionIdLengthAt = 4 + 2 + 32;
  if (payload.length <= sessionIdLengthAt) return undefined;
  if (payload[0] !== HANDSHAKE_SERVER_HELLO) return { kind: 'unexpected' };
  const cipherSuiteAt = sessionIdLengthAt + 1 + (payload[sessionIdLengthAt] ?? 0);
  if (payload.length < cipherSuiteAt + 2) return undefined;
  return { kind: 'server-hello', version: payload.readUInt16BE(4), cipherSuite: payload.readUInt16BE(cipherSuiteAt) };
}

function serverNameExtension(name: string): Buffer {
  const hostName = Buffer.from(name, 'ascii');
  const entry = Buffer.concat([Buffer.from([0]), withLength16(hostName)]);
  return extension(EXTENSION_SERVER_NAME, withLength16(entry));
}

function extension(type: number, data: Buffer): Buffer {
  return Buffer.concat([uint16(type), withLength16(data)]);
}

function withLength16(data: Buffer): Buffer {
  return Buffer.concat([uint16(data.length), data]);
}

function uint16List(values: readonly number[]): Buffer {
  return Buffer.concat(values.map(uint16));
}

function uint16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16BE(value);
  return buffer;
}

function uint24(value: number): Buffer {
  return Buffer.from([(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff]);
}
