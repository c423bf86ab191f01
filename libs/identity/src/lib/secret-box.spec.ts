import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox, SecretBoxError } from './secret-box.js';

const keyA = { id: 'k2026a', key: randomBytes(32) };
const keyB = { id: 'k2026b', key: randomBytes(32) };

describe('SecretBox', () => {
  it('[SE-6.1] seals with AES-256-GCM and opens only for the same purpose', () => {
    const box = new SecretBox(keyA);
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'totp:user-1');
    expect(sealed).toMatch(/^v1\.k2026a\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed, 'totp:user-1').toString()).toBe('JBSWY3DPEHPK3PXP');
    expect(() => box.open(sealed, 'totp:user-2')).toThrow(SecretBoxError);
  });

  it('[SE-6.1] detects any change to a sealed secret', () => {
    const box = new SecretBox(keyA);
    const sealed = box.seal('client-secret', 'oidc:conn-1');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[4]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[4] = body.toString('base64url');
    expect(() => box.open(parts.join('.'), 'oidc:conn-1')).toThrow(/altered/);
  });

  it('[SE-6.1] rotates keys: old secrets open under their key id, new ones seal under the current key', () => {
    const old = new SecretBox(keyA).seal('s', 'p');
    const rotated = new SecretBox(keyB, [keyA]);
    expect(rotated.open(old, 'p').toString()).toBe('s');
    expect(rotated.needsRotation(old)).toBe(true);
    expect(rotated.needsRotation(rotated.seal('s', 'p'))).toBe(false);
    expect(() => new SecretBox(keyB).open(old, 'p')).toThrow(/no key "k2026a"/);
  });

  it('refuses keys of the wrong size', () => {
    expect(() => new SecretBox({ id: 'short', key: randomBytes(16) })).toThrow(/32 bytes/);
  });
});
