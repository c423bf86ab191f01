import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface AuditSigningKey {
  readonly privateKey: KeyObject;
  readonly publicKeyPem: string;
  /** The first 16 hex digits of the SHA-256 of the public key (SPKI DER): which key signed a checkpoint. */
  readonly keyId: string;
}

export class AuditSigningKeyError extends Error {
  override readonly name = 'AuditSigningKeyError';
}

/**
 * The Ed25519 key that signs audit checkpoints, from a PEM file. `createIfMissing` (development
 * only) makes one, readable by its owner only; in production the operator provides it, and its
 * public half goes to the SIEM so checkpoints can be verified there.
 */
export function loadAuditSigningKey(path: string, options: { readonly createIfMissing: boolean }): AuditSigningKey {
  if (!existsSync(path)) {
    if (!options.createIfMissing) throw new AuditSigningKeyError(`audit signing key ${path} does not exist`);
    mkdirSync(dirname(path), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(path));
  } catch (error) {
    throw new AuditSigningKeyError(`audit signing key ${path} is not a PEM private key: ${(error as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new AuditSigningKeyError(`audit signing key ${path} must be an Ed25519 key, not ${privateKey.asymmetricKeyType}`);
  const publicKey = createPublicKey(privateKey);
  const keyId = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
  return { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), keyId };
}
