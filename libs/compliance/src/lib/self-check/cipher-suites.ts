export type KeyExchange = 'ECDHE' | 'DHE' | 'RSA';
export type BulkCipher = 'AES-GCM' | 'CHACHA20-POLY1305' | 'AES-CBC' | '3DES' | 'RC4' | 'NULL';

export interface Tls12CipherSuite {
  /** The OpenSSL name, as node:tls takes it in `ciphers`. */
  readonly name: string;
  /** The IANA code point, sent in a hand-made ClientHello when the local OpenSSL cannot offer the suite. */
  readonly code: number;
  readonly keyExchange: KeyExchange;
  readonly cipher: BulkCipher;
  /** Symmetric key strength in bits as SSL Labs counts it (3DES: 112, NULL: 0). */
  readonly strengthBits: number;
}

export interface Tls13CipherSuite {
  readonly name: string;
  readonly strengthBits: number;
}

function suite(name: string, code: number, keyExchange: KeyExchange, cipher: BulkCipher, strengthBits: number): Tls12CipherSuite {
  return { name, code, keyExchange, cipher, strengthBits };
}

/**
 * Every key exchange (ECDHE with either certificate type, DHE, static RSA) crossed with every
 * class of bulk cipher the SSL Labs caps care about. One representative per class keeps the scan
 * near 30 handshakes; testssl.sh tries all ~370 suites, which an intake session has no time for.
 */
export const TLS12_PROBE_SUITES: readonly Tls12CipherSuite[] = [
  suite('ECDHE-ECDSA-AES128-GCM-SHA256', 0xc02b, 'ECDHE', 'AES-GCM', 128),
  suite('ECDHE-ECDSA-AES256-GCM-SHA384', 0xc02c, 'ECDHE', 'AES-GCM', 256),
  suite('ECDHE-ECDSA-CHACHA20-POLY1305', 0xcca9, 'ECDHE', 'CHACHA20-POLY1305', 256),
  suite('ECDHE-ECDSA-AES128-SHA256', 0xc023, 'ECDHE', 'AES-CBC', 128),
  suite('ECDHE-ECDSA-AES256-SHA', 0xc00a, 'ECDHE', 'AES-CBC', 256),
  suite('ECDHE-ECDSA-DES-CBC3-SHA', 0xc008, 'ECDHE', '3DES', 112),
  suite('ECDHE-ECDSA-RC4-SHA', 0xc007, 'ECDHE', 'RC4', 128),
  suite('ECDHE-ECDSA-NULL-SHA', 0xc006, 'ECDHE', 'NULL', 0),
  suite('ECDHE-RSA-AES128-GCM-SHA256', 0xc02f, 'ECDHE', 'AES-GCM', 128),
  suite('ECDHE-RSA-AES256-GCM-SHA384', 0xc030, 'ECDHE', 'AES-GCM', 256),
  suite('ECDHE-RSA-CHACHA20-POLY1305', 0xcca8, 'ECDHE', 'CHACHA20-POLY1305', 256),
  suite('ECDHE-RSA-AES128-SHA256', 0xc027, 'ECDHE', 'AES-CBC', 128),
  suite('ECDHE-RSA-AES256-SHA', 0xc014, 'ECDHE', 'AES-CBC', 256),
  suite('ECDHE-RSA-DES-CBC3-SHA', 0xc012, 'ECDHE', '3DES', 112),
  suite('ECDHE-RSA-RC4-SHA', 0xc011, 'ECDHE', 'RC4', 128),
  suite('ECDHE-RSA-NULL-SHA', 0xc010, 'ECDHE', 'NULL', 0),
  suite('DHE-RSA-AES128-GCM-SHA256', 0x009e, 'DHE', 'AES-GCM', 128),
  suite('DHE-RSA-AES256-GCM-SHA384', 0x009f, 'DHE', 'AES-GCM', 256),
  suite('DHE-RSA-CHACHA20-POLY1305', 0xccaa, 'DHE', 'CHACHA20-POLY1305', 256),
  suite('DHE-RSA-AES128-SHA256', 0x0067, 'DHE', 'AES-CBC', 128),
  suite('DHE-RSA-AES256-SHA', 0x0039, 'DHE', 'AES-CBC', 256),
  suite('EDH-RSA-DES-CBC3-SHA', 0x0016, 'DHE', '3DES', 112),
  suite('AES128-GCM-SHA256', 0x009c, 'RSA', 'AES-GCM', 128),
  suite('AES256-GCM-SHA384', 0x009d, 'RSA', 'AES-GCM', 256),
  suite('AES128-SHA256', 0x003c, 'RSA', 'AES-CBC', 128),
  suite('AES256-SHA', 0x0035, 'RSA', 'AES-CBC', 256),
  suite('DES-CBC3-SHA', 0x000a, 'RSA', '3DES', 112),
  suite('RC4-SHA', 0x0005, 'RSA', 'RC4', 128),
  suite('NULL-SHA256', 0x003b, 'RSA', 'NULL', 0),
];

export const TLS13_PROBE_SUITES: readonly Tls13CipherSuite[] = [
  { name: 'TLS_AES_128_GCM_SHA256', strengthBits: 128 },
  { name: 'TLS_AES_256_GCM_SHA384', strengthBits: 256 },
  { name: 'TLS_CHACHA20_POLY1305_SHA256', strengthBits: 256 },
];

export function isForwardSecret(suite: Tls12CipherSuite): boolean {
  return suite.keyExchange !== 'RSA';
}

/** Authenticated encryption: the only TLS 1.2 ciphers without padding-oracle or timing history. */
export function isAead(suite: Tls12CipherSuite): boolean {
  return suite.cipher === 'AES-GCM' || suite.cipher === 'CHACHA20-POLY1305';
}
