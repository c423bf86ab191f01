import { X509Certificate } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate, type IssuedCertificate, type KeyAlgorithm } from '@veilig/platform-pki';

/** A test PKI made at run time: root CA → intermediate CA → leaves. No key material is committed. */
export interface TestPki {
  readonly root: IssuedCertificate;
  readonly intermediate: IssuedCertificate;
  issueLeaf(options?: { key?: KeyAlgorithm; dnsNames?: readonly string[] }): Promise<IssuedCertificate>;
}

export async function createTestPki(options: { key?: KeyAlgorithm } = {}): Promise<TestPki> {
  const key = options.key ?? 'ec-p256';
  const root = await issueCertificate({ subject: 'CN=Veilig Test Root CA, O=Veilig tests', isCa: true, key });
  const intermediate = await issueCertificate({
    subject: 'CN=Veilig Test Intermediate CA, O=Veilig tests',
    issuer: root,
    isCa: true,
    key,
  });
  return {
    root,
    intermediate,
    issueLeaf: (leaf = {}) =>
      issueCertificate({
        subject: 'CN=localhost, O=Veilig tests',
        issuer: intermediate,
        dnsNames: leaf.dnsNames ?? ['localhost'],
        ipAddresses: ['127.0.0.1'],
        extendedKeyUsages: ['serverAuth'],
        key: leaf.key ?? key,
      }),
  };
}

/** Certificate and key files in a folder of their own, as TLS_CERT_FILE/TLS_KEY_FILE point to. */
export interface CertificateFolder {
  readonly folder: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** TLS_CERT_FILE/TLS_KEY_FILE for `startTestApi`. */
  readonly env: Record<string, string>;
  /**
   * Replaces the files the way cert-manager and certbot do: write a temporary file in the
   * same folder, then rename it over the live one (an atomic swap, never a half-written file).
   */
  replace(certChainPem: string, keyPem: string): void;
  remove(): void;
}

export function createCertificateFolder(certChainPem: string, keyPem: string): CertificateFolder {
  const folder = mkdtempSync(join(tmpdir(), 'veilig-tls-'));
  const certFile = join(folder, 'tls.crt');
  const keyFile = join(folder, 'tls.key');
  writeFileSync(certFile, certChainPem);
  writeFileSync(keyFile, keyPem, { mode: 0o600 });
  let generation = 0;
  return {
    folder,
    certFile,
    keyFile,
    env: { TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile },
    replace(newCertChainPem, newKeyPem) {
      generation += 1;
      const certTemp = join(folder, `.tls.crt.${generation}.tmp`);
      const keyTemp = join(folder, `.tls.key.${generation}.tmp`);
      writeFileSync(certTemp, newCertChainPem);
      writeFileSync(keyTemp, newKeyPem, { mode: 0o600 });
      renameSync(keyTemp, keyFile);
      renameSync(certTemp, certFile);
    },
    remove: () => rmSync(folder, { recursive: true, force: true }),
  };
}

/** The serial number as OpenSSL (and so `getPeerCertificate().serialNumber`) prints it. */
export function serialOf(certPem: string): string {
  return new X509Certificate(certPem).serialNumber;
}

export function fingerprintOf(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}
