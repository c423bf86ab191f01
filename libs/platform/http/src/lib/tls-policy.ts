import { constants } from 'node:crypto';
import type { SecureContextOptions } from 'node:tls';

/**
 * Mozilla "intermediate" (v5.7) minus every CBC and DHE suite (TH-13, TH-14, TH-22): ECDHE key
 * exchange only, AEAD ciphers only, ECDSA before RSA so the preferred certificate type wins.
 * TLS 1.3 suites are all forward secret and AEAD, so the three standard ones stay.
 */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
] as const;

export const TLS13_CIPHERSUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const;

export const TLS_GROUPS = ['X25519', 'P-256', 'P-384'] as const;

/**
 * Node's TLS server never accepts 0-RTT early data, so nothing needs switching off for it.
 * SSL_OP_NO_RENEGOTIATION refuses client-initiated renegotiation outright (a DoS vector);
 * SSL_OP_CIPHER_SERVER_PREFERENCE makes the order above win over the client's.
 * SSL_OP_NO_TICKET: Node's ticket key is made at start and never rotated, so a resumed TLS 1.2
 * session would lose forward secrecy to anyone who ever reads that key; nginx gets the same.
 */
export const TLS_SECURE_OPTIONS =
  constants.SSL_OP_NO_RENEGOTIATION |
  constants.SSL_OP_CIPHER_SERVER_PREFERENCE |
  constants.SSL_OP_NO_COMPRESSION |
  constants.SSL_OP_NO_TICKET;

/** Used both to create the server and, on certificate reload, for `server.setSecureContext`. */
export function tlsContextOptions(credentials: Pick<SecureContextOptions, 'cert' | 'key'>): SecureContextOptions {
  return {
    cert: credentials.cert,
    key: credentials.key,
    minVersion: 'TLSv1.2',
    ciphers: [...TLS13_CIPHERSUITES, ...TLS12_CIPHERS].join(':'),
    ecdhCurve: TLS_GROUPS.join(':'),
    secureOptions: TLS_SECURE_OPTIONS,
    honorCipherOrder: true,
  };
}
