import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { SecureContextOptions } from 'node:tls';
import type { Logger } from 'pino';

export interface CertificateFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export interface LoadedCertificate {
  /** Leaf first, then the intermediates, as served (TH-3). */
  readonly certChainPem: string;
  readonly keyPem: string;
  readonly leaf: X509Certificate;
}

export class CertificateLoadError extends Error {
  override readonly name = 'CertificateLoadError';
}

export function loadCertificate(files: CertificateFiles): LoadedCertificate {
  let certChainPem: string;
  let keyPem: string;
  try {
    certChainPem = readFileSync(files.certFile, 'utf8');
    keyPem = readFileSync(files.keyFile, 'utf8');
  } catch (error) {
    throw new CertificateLoadError(`cannot read TLS certificate or key: ${(error as Error).message}`);
  }
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certChainPem);
  } catch {
    throw new CertificateLoadError(`${files.certFile} holds no PEM certificate`);
  }
  let keyMatches: boolean;
  try {
    keyMatches = leaf.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    throw new CertificateLoadError(`${files.keyFile} holds no PEM private key`);
  }
  if (!keyMatches) throw new CertificateLoadError(`${files.keyFile} is not the key of ${files.certFile}`);
  return { certChainPem, keyPem, leaf };
}

const RELOAD_SETTLE_MS = 200;

/**
 * Watches the certificate and key so a renewed certificate is served without a restart. The
 * folders are watched rather than the files, because cert-manager and certbot replace files by
 * renaming (and Kubernetes by swapping a symlink), which a file watch does not survive. A pair
 * that does not load (half-written, key not matching) is logged and the current one kept.
 */
export class CertificateWatcher {
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly files: CertificateFiles,
    private readonly apply: (certificate: LoadedCertificate) => void,
    private readonly logger: Logger,
  ) {}

  start(): void {
    const names = new Set([basename(this.files.certFile), basename(this.files.keyFile), '..data']);
    for (const folder of new Set([dirname(this.files.certFile), dirname(this.files.keyFile)])) {
      const watcher = watch(folder, (_event, name) => {
        if (name === null || names.has(name.toString())) this.scheduleReload();
      });
      watcher.unref();
      this.watchers.push(watcher);
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    for (const watcher of this.watchers.splice(0)) watcher.close();
  }

  private scheduleReload(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reload(), RELOAD_SETTLE_MS);
    this.timer.unref();
  }

  private reload(): void {
    try {
      const certificate = loadCertificate(this.files);
      this.apply(certificate);
      this.logger.info({ subject: certificate.leaf.subject, validTo: certificate.leaf.validTo }, 'TLS certificate reloaded');
    } catch (error) {
      this.logger.error({ err: error }, 'TLS certificate change not applied; still serving the previous certificate');
    }
  }
}

export type CertificateContext = Pick<SecureContextOptions, 'cert' | 'key'>;

export function contextCredentials(certificate: LoadedCertificate): CertificateContext {
  return { cert: certificate.certChainPem, key: certificate.keyPem };
}
