import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEVELOPMENT_CERTIFICATE_MARK } from '@veilig/platform-config';
import { issueCertificate } from '@veilig/platform-pki';
import type { CertificateFiles } from './certificate-store.js';

const RENEW_BEFORE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The certificate `npm start` serves when none is configured: ECDSA P-256 (NCSC 2025 rates
 * RSA-2048 as phase-out), for localhost only, kept between runs so a browser exception made
 * once keeps working, and renewed a week before it expires. Production refuses it by its mark.
 */
export async function ensureDevelopmentCertificate(dataDir: string): Promise<CertificateFiles> {
  const folder = join(dataDir, 'tls');
  const files = { certFile: join(folder, 'development-cert.pem'), keyFile: join(folder, 'development-key.pem') };
  if (existsSync(files.certFile) && existsSync(files.keyFile)) {
    const current = new X509Certificate(readFileSync(files.certFile));
    if (new Date(current.validTo).getTime() - Date.now() > RENEW_BEFORE_MS) return files;
  }
  const issued = await issueCertificate({
    subject: `CN=localhost, O=${DEVELOPMENT_CERTIFICATE_MARK}`,
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1', '::1'],
    extendedKeyUsages: ['serverAuth'],
    key: 'ec-p256',
  });
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  writeFileSync(files.keyFile, issued.keyPem, { mode: 0o600 });
  writeFileSync(files.certFile, issued.certPem);
  return files;
}
