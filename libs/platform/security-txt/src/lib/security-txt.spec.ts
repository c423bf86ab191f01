import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { renderSecurityTxt, signSecurityTxt } from './security-txt.js';

const FIELDS = {
  contact: ['mailto:security@gemeente.example.nl', 'https://gemeente.example.nl/cvd'],
  expires: new Date('2027-05-01T00:00:00Z'),
  canonical: 'https://zaken.example.nl/.well-known/security.txt',
  preferredLanguages: 'nl, en',
  policy: 'https://gemeente.example.nl/cvd-beleid',
  encryption: 'https://gemeente.example.nl/pgp-key.txt',
  acknowledgments: 'https://gemeente.example.nl/hall-of-fame',
  hiring: 'https://gemeente.example.nl/vacatures',
};

describe('security.txt', () => {
  it('[SE-9.1] renders every RFC 9116 field, one per line', () => {
    expect(renderSecurityTxt(FIELDS)).toBe(
      [
        'Contact: mailto:security@gemeente.example.nl',
        'Contact: https://gemeente.example.nl/cvd',
        'Expires: 2027-05-01T00:00:00.000Z',
        'Encryption: https://gemeente.example.nl/pgp-key.txt',
        'Acknowledgments: https://gemeente.example.nl/hall-of-fame',
        'Preferred-Languages: nl, en',
        'Canonical: https://zaken.example.nl/.well-known/security.txt',
        'Policy: https://gemeente.example.nl/cvd-beleid',
        'Hiring: https://gemeente.example.nl/vacatures',
        '',
      ].join('\n'),
    );
  });

  it('[SE-9.1] leaves optional fields out when they are not configured', () => {
    const text = renderSecurityTxt({ ...FIELDS, policy: undefined, encryption: undefined, acknowledgments: undefined, hiring: undefined });
    expect(text).not.toMatch(/Policy|Encryption|Acknowledgments|Hiring/);
    expect(text).toMatch(/^Contact: /);
  });

  it('[SE-9.1] clear-signs with an OpenPGP key so a reporter can verify it', async () => {
    const { privateKey, publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Security', email: 'security@gemeente.example.nl' }],
      passphrase: 'correct horse battery staple',
    });
    const signed = await signSecurityTxt(renderSecurityTxt(FIELDS), {
      armoredPrivateKey: privateKey,
      passphrase: 'correct horse battery staple',
    });
    expect(signed).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA\d+\n\nContact: /);
    const message = await openpgp.readCleartextMessage({ cleartextMessage: signed });
    const verification = await openpgp.verify({ message, verificationKeys: await openpgp.readKey({ armoredKey: publicKey }) });
    await expect(verification.signatures[0]!.verified).resolves.toBe(true);

    const tampered = signed.replace('security@gemeente', 'attacker@gemeente');
    const tamperedCheck = await openpgp.verify({
      message: await openpgp.readCleartextMessage({ cleartextMessage: tampered }),
      verificationKeys: await openpgp.readKey({ armoredKey: publicKey }),
    });
    await expect(tamperedCheck.signatures[0]!.verified).rejects.toThrow();
  });

  it('[SE-9.1] refuses an encrypted signing key without its passphrase', async () => {
    const { privateKey } = await openpgp.generateKey({ type: 'ecc', userIDs: [{ email: 'a@b.nl' }], passphrase: 'secret-phrase' });
    await expect(signSecurityTxt('Contact: mailto:a@b.nl\n', { armoredPrivateKey: privateKey })).rejects.toThrow(/passphrase/);
  });
});
