import { totpCode } from '@veilig/identity';

/** The code an authenticator app would show now for the manual key the enrolment page displays (base32). */
export function currentTotpCode(manualKey: string): Promise<string> {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const character of manualKey.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(character).toString(2).padStart(5, '0');
  const secret = Uint8Array.from(bits.match(/.{8}/g) ?? [], (byte) => parseInt(byte, 2));
  return totpCode(secret, Math.floor(Date.now() / 1000));
}
