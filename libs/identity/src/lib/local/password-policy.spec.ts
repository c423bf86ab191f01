import { describe, expect, it } from 'vitest';
import { COMMON_PASSWORDS } from './common-passwords.js';
import {
  checkPassword,
  describePasswordRefusal,
  normalisePassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  PASSWORD_POLICY_MESSAGES,
  type PasswordContext,
} from './password-policy.js';

const janInUtrecht: PasswordContext = {
  email: 'jan.de.vries@utrecht.nl',
  givenName: 'Jan',
  surname: 'de Vries',
  displayName: 'Jan de Vries',
  tenantSlug: 'utrecht',
  tenantName: 'Gemeente Utrecht',
};

function codes(password: string, context: PasswordContext = janInUtrecht): string[] {
  return checkPassword(password, context).map((reason) => reason.code);
}

describe('password policy (NIST SP 800-63B rev. 4)', () => {
  it('[SE-7.1] accepts a four-word passphrase, in English and in Dutch', () => {
    expect(codes('correct horse battery staple')).toEqual([]);
    expect(codes('paard batterij nietje correct')).toEqual([]);
    expect(codes('opa fietst graag naar de markt')).toEqual([]);
  });

  it('[SE-7.1] sets no composition rules: all lower case without digits or symbols is fine', () => {
    expect(codes('zonnebloemen in de vensterbank')).toEqual([]);
    expect(codes('Xk9#mQ2$vL7!')).toEqual([]);
  });

  it(`[SE-7.1] refuses fewer than ${PASSWORD_MIN_LENGTH} and more than ${PASSWORD_MAX_LENGTH} characters, counted in code points`, () => {
    expect(codes('kort wachtw')).toEqual(['too-short']);
    expect(codes('kort wachtwo')).toEqual([]);
    // 11 emoji are 22 UTF-16 units but 11 characters.
    expect(codes('🐴🔋📎✅🌷🚲🧀🌧🏛🦆🎺')).toEqual(['too-short']);
    expect(codes('🐴🔋📎✅🌷🚲🧀🌧🏛🦆🎺🐝')).toEqual([]);
    const phrase = 'de grachten van utrecht zijn mooi ';
    expect(codes(phrase.repeat(4).slice(0, PASSWORD_MAX_LENGTH), {})).toEqual([]);
    expect(codes(`${phrase.repeat(4).slice(0, PASSWORD_MAX_LENGTH)}x`, {})).toEqual(['too-long']);
  });

  it('[SE-7.1] allows any Unicode and checks the NFKC form', () => {
    expect(normalisePassword('ﬁets')).toBe('fiets');
    expect(normalisePassword('cafe\u0301')).toBe(normalisePassword('café'));
    expect(codes('Ελληνικά και 日本語 ook')).toEqual([]);
    // Full-width letters and digits are "password12345" once normalised.
    expect(codes('ｐａｓｓｗｏｒｄ１２３４５')).toContain('common-password');
  });

  it('[SE-7.1] refuses common and breached passwords, also decorated or in leetspeak', () => {
    expect(COMMON_PASSWORDS.size).toBeGreaterThanOrEqual(1000);
    expect(codes('password1234')).toContain('common-password');
    expect(codes('P@ssw0rd2024!')).toContain('common-password');
    expect(codes('Welkom2024!!')).toContain('common-password');
    expect(codes('Wachtwoord123')).toContain('common-password');
    expect(codes('P4ssw0rd-2024!')).toContain('common-password');
    expect(codes('feyenoord1908')).toContain('common-password');
  });

  it('[SE-7.1] refuses repeated characters and repeated patterns', () => {
    expect(codes('aaaaaaaaaaaa')).toEqual(['repeated-characters']);
    expect(codes('abcabcabcabc')).toEqual(['repeated-characters']);
    expect(codes('zonnezonnezonne')).toEqual(['repeated-characters']);
    expect(codes('aaaaaaaaaaab')).toEqual(['repeated-characters']);
  });

  it('[SE-7.1] refuses runs of consecutive characters, digits wrapping from 9 to 0', () => {
    expect(codes('123456789012')).toEqual(['common-password', 'sequential-characters']);
    expect(codes('abcdefghijklm')).toEqual(['sequential-characters']);
    expect(codes('987654321098')).toContain('sequential-characters');
  });

  it('[SE-7.1] refuses keyboard walks, including shifted keys', () => {
    expect(codes('1qaz2wsx3edc4rfv')).toContain('keyboard-walk');
    expect(codes('qazwsxedcrfv')).toContain('keyboard-walk');
    expect(codes('zxcvbnmasdfgh')).toEqual(['keyboard-walk']);
    expect(codes('!QAZ@WSX#EDC$RFV')).toContain('keyboard-walk');
  });

  it('[SE-7.1] does not mistake ordinary words with neighbouring keys for a walk', () => {
    expect(codes('Der Werwolf wartet')).toEqual([]);
    expect(codes('wereldrecord werpen')).toEqual([]);
    expect(codes('trees were re-rooted there')).toEqual([]);
  });

  it("[SE-7.1] refuses the user's name and e-mail address, the tenant and the service name", () => {
    expect(codes('JanDeVries2024!')).toContain('context-word');
    expect(codes('devries-en-zonen-bv')).toContain('context-word');
    expect(codes('Utrecht is een mooie stad')).toContain('context-word');
    expect(codes('werken bij de gemeente!')).toContain('context-word');
    expect(codes('mijn V3ilig wachtwoord')).toContain('context-word');
    expect(codes('Jan19801980!!')).toContain('context-word');
    // A short name only counts as the whole password, not inside ordinary words.
    expect(codes('januari sneeuwval boven')).toEqual([]);
    expect(codes('werken bij de gemeente!', {})).toEqual([]);
  });

  it('[SE-7.1] gives each refusal a message key with Dutch and English text', () => {
    const [tooShort] = checkPassword('kort');
    expect(tooShort).toEqual({ code: 'too-short', messageKey: 'password-policy.too-short', params: { minimum: 12 } });
    expect(describePasswordRefusal(tooShort!, 'nl')).toBe(
      'Kies een wachtwoord van minstens 12 tekens. Een zin van een paar woorden is makkelijk te onthouden.',
    );
    expect(describePasswordRefusal(tooShort!, 'en')).toMatch(/^Choose a password of at least 12 characters\./);
    for (const texts of Object.values(PASSWORD_POLICY_MESSAGES)) {
      expect(texts.nl).not.toBe(texts.en);
      expect(texts.nl.length).toBeGreaterThan(20);
    }
  });
});
