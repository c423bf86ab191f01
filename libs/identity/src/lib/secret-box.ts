import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface SecretKey {
  /** Stored beside every ciphertext, so keys can rotate: old rows stay readable under their key id. */
  readonly id: string;
  /** 32 bytes. */
  readonly key: Buffer;
}

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

const FORMAT = 'v1';

/**
 * AES-256-GCM for secrets at rest (TOTP secrets, OIDC client secrets, private keys). The sealed
 * form is `v1.<key id>.<iv>.<tag>.<ciphertext>` in base64url; the purpose (e.g. "totp:<user id>")
 * is bound as associated data, so a ciphertext copied to another row or column does not open.
 */
export class SecretBox {
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(
    private readonly current: SecretKey,
    previous: readonly SecretKey[] = [],
  ) {
    for (const key of [current, ...previous]) {
      if (key.key.length !== 32) throw new SecretBoxError(`key ${key.id} must be 32 bytes`);
      if (!/^[A-Za-z0-9_-]+$/.test(key.id)) throw new SecretBoxError(`key id "${key.id}" must be base64url characters`);
    }
    this.keys = new Map([current, ...previous].map((key) => [key.id, key.key]));
  }

  seal(plaintext: string | Buffer, purpose: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(purpose));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return [FORMAT, this.current.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  open(sealed: string, purpose: string): Buffer {
    const [format, keyId, iv, tag, ciphertext] = sealed.split('.');
    if (format !== FORMAT || !keyId || !iv || !tag || ciphertext === undefined) throw new SecretBoxError('not a sealed secret');
    const key = this.keys.get(keyId);
    if (!key) throw new SecretBoxError(`no key "${keyId}" configured to open this secret`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(purpose));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
    } catch {
      throw new SecretBoxError('sealed secret was altered, or sealed for another purpose');
    }
  }

  /** True when the secret was sealed under an older key and should be sealed again. */
  needsRotation(sealed: string): boolean {
    return sealed.split('.')[1] !== this.current.id;
  }
}
