import * as openpgp from 'openpgp';

export interface SecurityTxtFields {
  readonly contact: readonly string[];
  readonly expires: Date;
  readonly canonical: string;
  readonly preferredLanguages: string;
  readonly policy?: string | undefined;
  readonly encryption?: string | undefined;
  readonly acknowledgments?: string | undefined;
  readonly hiring?: string | undefined;
}

export interface SigningKey {
  readonly armoredPrivateKey: string;
  readonly passphrase?: string | undefined;
}

/**
 * The RFC 9116 file (SE-9.1). Expires is written as the RFC requires: an RFC 3339 date-time in
 * UTC. Field order follows the RFC's examples so a person reading it finds Contact first.
 */
export function renderSecurityTxt(fields: SecurityTxtFields): string {
  const lines = [
    ...fields.contact.map((contact) => `Contact: ${contact}`),
    `Expires: ${fields.expires.toISOString()}`,
    ...(fields.encryption ? [`Encryption: ${fields.encryption}`] : []),
    ...(fields.acknowledgments ? [`Acknowledgments: ${fields.acknowledgments}`] : []),
    `Preferred-Languages: ${fields.preferredLanguages}`,
    `Canonical: ${fields.canonical}`,
    ...(fields.policy ? [`Policy: ${fields.policy}`] : []),
    ...(fields.hiring ? [`Hiring: ${fields.hiring}`] : []),
  ];
  return lines.join('\n') + '\n';
}

/** OpenPGP clear-signs the file (RFC 9116 §2.3), so a reporter can check it was not swapped. */
export async function signSecurityTxt(text: string, key: SigningKey): Promise<string> {
  let privateKey = await openpgp.readPrivateKey({ armoredKey: key.armoredPrivateKey });
  if (!privateKey.isDecrypted()) {
    if (!key.passphrase) throw new Error('the security.txt signing key is encrypted and no passphrase is configured');
    privateKey = await openpgp.decryptKey({ privateKey, passphrase: key.passphrase });
  }
  const message = await openpgp.createCleartextMessage({ text });
  return openpgp.sign({ message, signingKeys: privateKey, format: 'armored' });
}
