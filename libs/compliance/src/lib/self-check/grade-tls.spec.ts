import { describe, expect, it } from 'vitest';
import { TLS12_PROBE_SUITES, TLS13_PROBE_SUITES } from './cipher-suites.js';
import type { Finding } from './findings.js';
import { gradeTls, rsaEquivalentBits, type TlsGradeInput } from './grade-tls.js';
import type { CertificateFacts, ProtocolName, TlsProbeResult } from './probe-tls.js';

const NOW = new Date('2026-01-15T12:00:00Z');
const DAY_MS = 24 * 60 * 60 * 1000;
const TWO_YEARS = 63_072_000;

const KIT_SUITES = ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305'];

const TRUSTED_P256: CertificateFacts = {
  subject: 'CN=zaken.example.nl',
  issuer: 'CN=Example CA',
  keyType: 'ec',
  keyBits: 256,
  curve: 'P-256',
  validFrom: new Date(NOW.getTime() - 10 * DAY_MS),
  validTo: new Date(NOW.getTime() + 80 * DAY_MS),
  trusted: true,
  matchesHost: true,
};

interface ProbeChanges {
  readonly protocols?: Partial<Record<ProtocolName, boolean>>;
  /** Names of the accepted TLS 1.2 suites (the others are refused). */
  readonly tls12?: readonly string[];
  readonly dhGroupBits?: number;
  readonly certificate?: Partial<CertificateFacts>;
  readonly clientRenegotiation?: TlsProbeResult['clientRenegotiation'];
  readonly tls12SessionTickets?: boolean;
}

/** The kit's own configuration, as the probe sees it, with the changes a case needs. */
function probe(changes: ProbeChanges = {}): TlsProbeResult {
  const protocols = { SSLv3: false, TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true, ...changes.protocols };
  const accepted = new Set(changes.tls12 ?? KIT_SUITES);
  return {
    protocols,
    tls12Suites: TLS12_PROBE_SUITES.map((suite) => ({
      suite,
      accepted: protocols['TLSv1.2'] && accepted.has(suite.name),
      method: 'handshake' as const,
      ...(suite.keyExchange === 'DHE' && changes.dhGroupBits ? { dhGroupBits: changes.dhGroupBits } : {}),
    })),
    tls13Suites: TLS13_PROBE_SUITES.map((suite) => ({ suite, accepted: protocols['TLSv1.3'] })),
    certificate: { ...TRUSTED_P256, ...changes.certificate },
    ocspStapled: true,
    clientRenegotiation: changes.clientRenegotiation ?? 'refused',
    tls12SessionTickets: changes.tls12SessionTickets ?? false,
  };
}

function grade(changes: ProbeChanges = {}, input: Partial<Omit<TlsGradeInput, 'probe'>> = {}) {
  return gradeTls({ probe: probe(changes), hstsMaxAgeSeconds: TWO_YEARS, acceptUntrusted: false, now: NOW, ...input });
}

function findingAbout(findings: readonly Finding[], text: string): Finding | undefined {
  return findings.find((finding) => finding.message.includes(text));
}

describe('gradeTls (SSL Labs rating guide, simplified)', () => {
  it('[TH-18] [SV-3] grades TLS 1.2 + 1.3, ECDHE-ECDSA AEAD only, P-256, long HSTS as A+ with score 93', () => {
    const result = grade();
    expect(result.grade).toBe('A+');
    expect(result.score).toEqual({ protocol: 100, keyExchange: 90, cipherStrength: 90, total: 93 });
    expect(result.findings.filter((finding) => finding.status !== 'PASS')).toEqual([]);
  });

  it('[TH-18] grades a TLS 1.3-only server A+ (no TLS 1.2 is not a cap when TLS 1.3 is there)', () => {
    const result = grade({ protocols: { 'TLSv1.2': false } });
    expect(result.grade).toBe('A+');
    expect(findingAbout(result.findings, 'TLS 1.3 only')?.status).toBe('PASS');
  });

  it('[TH-18] [TH-22] caps a server without TLS 1.3 at A-', () => {
    const result = grade({ protocols: { 'TLSv1.3': false } });
    expect(result.grade).toBe('A-');
    expect(findingAbout(result.findings, 'TLS 1.3 not accepted')?.status).toBe('WARN');
  });

  it.each([
    ['TLSv1', 'TLS 1.0', 95],
    ['TLSv1.1', 'TLS 1.1', 97.5],
  ] as const)('[TH-5] [TH-18] caps a server accepting %s at B', (protocol, label, protocolScore) => {
    const result = grade({ protocols: { [protocol]: true } });
    expect(result.grade).toBe('B');
    expect(result.score.protocol).toBe(protocolScore);
    expect(findingAbout(result.findings, `${label} accepted`)?.status).toBe('FAIL');
  });

  it('[TH-5] [TH-18] caps a server accepting SSL 3.0 at C', () => {
    const result = grade({ protocols: { SSLv3: true } });
    expect(result.grade).toBe('C');
    expect(findingAbout(result.findings, 'POODLE')?.status).toBe('FAIL');
  });

  it('[TH-5] [TH-18] caps a server with neither TLS 1.2 nor TLS 1.3 at C', () => {
    expect(grade({ protocols: { TLSv1: true, 'TLSv1.2': false, 'TLSv1.3': false } }).grade).toBe('C');
  });

  it('[TH-13] [TH-18] caps at B when any accepted suite lacks forward secrecy, and names it', () => {
    const result = grade({ tls12: [...KIT_SUITES, 'AES128-GCM-SHA256'] });
    expect(result.grade).toBe('B');
    expect(findingAbout(result.findings, 'no forward secrecy with AES128-GCM-SHA256')?.status).toBe('FAIL');
  });

  it('[TH-13] [TH-18] caps DHE with a 1024-bit group at B (Logjam) and counts the group in the key exchange score', () => {
    const result = grade({ tls12: [...KIT_SUITES, 'DHE-RSA-AES128-GCM-SHA256'], dhGroupBits: 1024 });
    expect(result.grade).toBe('B');
    expect(result.score.keyExchange).toBe(80);
  });

  it('[TH-13] warns about DHE with a 2048-bit group without lowering the grade', () => {
    const result = grade({ tls12: [...KIT_SUITES, 'DHE-RSA-AES128-GCM-SHA256'], dhGroupBits: 2048 });
    expect(result.grade).toBe('A+');
    expect(findingAbout(result.findings, 'DHE suites accepted (2048-bit group)')?.status).toBe('WARN');
  });

  it('[TH-14] [TH-18] caps a CBC-only server without TLS 1.3 at B: no AEAD', () => {
    const result = grade({ protocols: { 'TLSv1.3': false }, tls12: ['ECDHE-ECDSA-AES128-SHA256', 'ECDHE-ECDSA-AES256-SHA'] });
    expect(result.grade).toBe('B');
    expect(findingAbout(result.findings, 'no AEAD suite')?.status).toBe('FAIL');
  });

  it('[TH-14] withholds A+ (grade A) when CBC suites are accepted next to AEAD ones', () => {
    const result = grade({ tls12: [...KIT_SUITES, 'ECDHE-ECDSA-AES128-SHA256'] });
    expect(result.grade).toBe('A');
    expect(findingAbout(result.findings, 'CBC suites accepted (ECDHE-ECDSA-AES128-SHA256)')?.status).toBe('WARN');
  });

  it.each([
    ['RC4', 'ECDHE-ECDSA-RC4-SHA', 'C'],
    ['3DES', 'ECDHE-ECDSA-DES-CBC3-SHA', 'C'],
    ['NULL', 'ECDHE-ECDSA-NULL-SHA', 'F'],
  ] as const)('[TH-18] [TH-22] caps a server accepting %s at %s', (cipher, suite, expected) => {
    const result = grade({ tls12: [...KIT_SUITES, suite] });
    expect(result.grade).toBe(expected);
    expect(findingAbout(result.findings, `${cipher} accepted (${suite})`)?.status).toBe('FAIL');
  });

  it('[TH-18] lets 3DES pull the cipher strength score down (112 bits scores 20)', () => {
    expect(grade({ tls12: [...KIT_SUITES, 'ECDHE-ECDSA-DES-CBC3-SHA'] }).score.cipherStrength).toBe(60);
  });

  it.each([
    [512, 'F'],
    [1024, 'B'],
    [2048, 'A+'],
  ] as const)('[TH-18] [TH-22] grades an RSA %i-bit certificate key at most %s', (keyBits, expected) => {
    const result = grade({ tls12: ['ECDHE-RSA-AES128-GCM-SHA256'], certificate: { keyType: 'rsa', keyBits } });
    expect(result.grade).toBe(expected);
  });

  it('[TH-18] maps elliptic-curve keys to RSA of equal strength (NIST SP 800-57)', () => {
    expect(rsaEquivalentBits({ keyType: 'ec', keyBits: 256 })).toBe(3072);
    expect(rsaEquivalentBits({ keyType: 'ec', keyBits: 384 })).toBe(7680);
    expect(rsaEquivalentBits({ keyType: 'ed25519', keyBits: 256 })).toBe(3072);
    expect(rsaEquivalentBits({ keyType: 'rsa', keyBits: 3072 })).toBe(3072);
  });

  it('[TH-3] [TH-18] grades an untrusted certificate T and still reports the grade it would have', () => {
    const result = grade({ certificate: { trusted: false, trustError: 'DEPTH_ZERO_SELF_SIGNED_CERT' } });
    expect(result.grade).toBe('T');
    expect(result.gradeIgnoringTrust).toBe('A+');
    expect(findingAbout(result.findings, 'not trusted (DEPTH_ZERO_SELF_SIGNED_CERT)')?.status).toBe('FAIL');
  });

  it('[TH-3] [TH-18] with --insecure, gives an untrusted certificate its letter grade and a warning instead', () => {
    const result = grade({ certificate: { trusted: false, trustError: 'DEPTH_ZERO_SELF_SIGNED_CERT' } }, { acceptUntrusted: true });
    expect(result.grade).toBe('A+');
    expect(findingAbout(result.findings, 'accepted because of --insecure')?.status).toBe('WARN');
  });

  it('[TH-3] [TH-18] grades a certificate for another host M', () => {
    const result = grade({ certificate: { matchesHost: false, hostError: "Host: localhost. is not cert's CN: other.example" } });
    expect(result.grade).toBe('M');
    expect(findingAbout(result.findings, 'does not name this host')?.status).toBe('FAIL');
  });

  it('[TH-3] [TH-18] grades an expired certificate T even when the chain verified', () => {
    const result = grade({ certificate: { validTo: new Date(NOW.getTime() - DAY_MS) } });
    expect(result.grade).toBe('T');
    expect(findingAbout(result.findings, 'expired on')?.status).toBe('FAIL');
  });

  it('[TH-3] warns about a certificate that expires within 30 days without lowering the grade', () => {
    const result = grade({ certificate: { validTo: new Date(NOW.getTime() + 10 * DAY_MS) } });
    expect(result.grade).toBe('A+');
    expect(findingAbout(result.findings, '(10 days): renew now')?.status).toBe('WARN');
  });

  it.each([
    ['under 180 days', 86_400],
    ['absent', undefined],
  ])('[TH-8] [TH-18] withholds A+ (grade A) when HSTS is %s', (_case, hstsMaxAgeSeconds) => {
    expect(grade({}, { hstsMaxAgeSeconds }).grade).toBe('A');
  });

  it('[TH-21] withholds A+ (grade A) when the server accepts client-initiated renegotiation', () => {
    const result = grade({ clientRenegotiation: 'accepted' });
    expect(result.grade).toBe('A');
    expect(findingAbout(result.findings, 'renegotiation accepted')?.status).toBe('WARN');
  });

  it('[TH-12] [TH-13] reports a missing OCSP staple and TLS 1.2 session tickets without grading them', () => {
    const result = gradeTls({
      probe: { ...probe({ tls12SessionTickets: true }), ocspStapled: false },
      hstsMaxAgeSeconds: TWO_YEARS,
      acceptUntrusted: false,
      now: NOW,
    });
    expect(result.grade).toBe('A+');
    expect(findingAbout(result.findings, 'no OCSP response stapled')?.status).toBe('WARN');
    expect(findingAbout(result.findings, 'session tickets issued')?.status).toBe('WARN');
  });

  it('[TH-18] applies the lowest of several caps', () => {
    const result = grade({ protocols: { TLSv1: true }, tls12: [...KIT_SUITES, 'AES128-GCM-SHA256', 'RC4-SHA'] });
    expect(result.grade).toBe('C');
  });
});
