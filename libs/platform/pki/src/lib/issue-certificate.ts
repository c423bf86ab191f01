import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// Node's webcrypto is the Web Crypto API; the library types it as the DOM's Crypto, which Node's types do not declare.
x509.cryptoProvider.set(webcrypto as never);

type CryptoKeyPair = webcrypto.CryptoKeyPair;

export type KeyAlgorithm = 'ec-p256' | 'ec-p384' | 'rsa-2048' | 'rsa-3072';

const ALGORITHMS: Record<KeyAlgorithm, webcrypto.RsaHashedKeyGenParams | (webcrypto.EcKeyGenParams & { hash: string })> = {
  'ec-p256': { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' },
  'ec-p384': { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' },
  'rsa-2048': { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
  'rsa-3072': { name: 'RSASSA-PKCS1-v1_5', modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
};

export interface IssuedCertificate {
  readonly certPem: string;
  /** PKCS#8 PEM. */
  readonly keyPem: string;
  readonly certificate: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
  readonly algorithm: KeyAlgorithm;
}

export interface CertificateRequest {
  /** Distinguished name, e.g. `CN=localhost, O=Example`. */
  readonly subject: string;
  /** Signs the new certificate; omitted means self-signed. */
  readonly issuer?: IssuedCertificate;
  readonly isCa?: boolean;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly ocspUrl?: string;
  readonly extendedKeyUsages?: readonly ('serverAuth' | 'clientAuth' | 'ocspSigning')[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly key?: KeyAlgorithm;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const EKU_OIDS = {
  serverAuth: x509.ExtendedKeyUsage.serverAuth,
  clientAuth: x509.ExtendedKeyUsage.clientAuth,
  ocspSigning: x509.ExtendedKeyUsage.ocspSigning,
};

/**
 * Issues an X.509 certificate: the development certificate of `npm start`, and the CAs, chains
 * and client certificates that tests make at run time (no key material is ever committed).
 */
export async function issueCertificate(request: CertificateRequest): Promise<IssuedCertificate> {
  const algorithm = request.key ?? 'ec-p256';
  const keys = (await webcrypto.subtle.generateKey(ALGORITHMS[algorithm], true, ['sign', 'verify'])) as CryptoKeyPair;
  const notBefore = request.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = request.notAfter ?? new Date(notBefore.getTime() + 90 * DAY_MS);
  const signer = request.issuer;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(request.isCa ?? false, undefined, true),
    new x509.KeyUsagesExtension(
      request.isCa
        ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign
        : x509.KeyUsageFlags.digitalSignature | (algorithm.startsWith('rsa') ? x509.KeyUsageFlags.keyEncipherment : 0),
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (signer) extensions.push(await x509.AuthorityKeyIdentifierExtension.create(signer.keys.publicKey));
  const names = [
    ...(request.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(request.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  if (request.extendedKeyUsages?.length) {
    extensions.push(new x509.ExtendedKeyUsageExtension(request.extendedKeyUsages.map((usage) => EKU_OIDS[usage])));
  }
  if (request.ocspUrl) {
    extensions.push(new x509.AuthorityInfoAccessExtension({ ocsp: [new x509.GeneralName('url', request.ocspUrl)] }));
  }
  const serialNumber = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber,
    subject: request.subject,
    issuer: signer ? signer.certificate.subject : request.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: signer ? signer.keys.privateKey : keys.privateKey,
    signingAlgorithm: ALGORITHMS[signer ? signer.algorithm : algorithm],
    extensions,
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return {
    certPem: certificate.toString('pem') + '\n',
    keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') + '\n',
    certificate,
    keys,
    algorithm,
  };
}
