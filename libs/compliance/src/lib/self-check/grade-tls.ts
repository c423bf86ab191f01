import { isAead, isForwardSecret, type Tls12CipherSuite } from './cipher-suites.js';
import { fail, pass, warn, worseOf, type Finding, type Grade, type LetterGrade, type TrustGrade } from './findings.js';
import { PROTOCOL_LABELS, type CertificateFacts, type ProtocolName, type TlsProbeResult } from './probe-tls.js';

/*
 * A subset of the SSL Labs rating guide (2009q with the 2014–2020 announcements): the numeric
 * score of protocol, key exchange and cipher strength, then the caps, then A-/A+. Rules, and
 * what SSL Labs checks beyond them, are listed in docs/self-check.md.
 */

export interface TlsGradeInput {
  readonly probe: TlsProbeResult;
  /** From the graded HTTPS response; undefined without a usable Strict-Transport-Security header. */
  readonly hstsMaxAgeSeconds: number | undefined;
  /** --insecure: an untrusted or misnamed certificate does not turn the grade into T or M. */
  readonly acceptUntrusted: boolean;
  readonly now: Date;
}

export interface TlsScore {
  readonly protocol: number;
  readonly keyExchange: number;
  readonly cipherStrength: number;
  /** 30 % protocol, 30 % key exchange, 40 % cipher strength. */
  readonly total: number;
}

export interface TlsGrade {
  readonly grade: Grade;
  /** What the grade would be with a trusted certificate for this host (SSL Labs shows the same). */
  readonly gradeIgnoringTrust: LetterGrade;
  readonly score: TlsScore;
  readonly findings: readonly Finding[];
}

/** SSL Labs' "long" HSTS for A+: at least 180 days. */
export const A_PLUS_HSTS_SECONDS = 15_552_000;
const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

const PROTOCOL_SCORES: Readonly<Record<ProtocolName, number>> = { SSLv3: 80, TLSv1: 90, 'TLSv1.1': 95, 'TLSv1.2': 100, 'TLSv1.3': 100 };

/** What the sections below add up: findings, caps, and whether A+ is withheld. */
class Assessment {
  readonly findings: Finding[] = [];
  readonly caps: LetterGrade[] = [];
  /** Set by a problem that keeps an otherwise perfect configuration at A instead of A+. */
  aPlusWithheld = false;

  /** Records a cap and returns the words that say so in the finding. */
  capAt(grade: LetterGrade): string {
    this.caps.push(grade);
    return ` (grade capped at ${grade})`;
  }
}

export function gradeTls(input: TlsGradeInput): TlsGrade {
  const { probe } = input;
  const assessment = new Assessment();
  assessProtocols(probe, assessment);
  if (probe.protocols['TLSv1.2']) assessTls12Suites(probe, assessment);
  const keyStrength = rsaEquivalentBits(probe.certificate);
  const trust = assessCertificate(input, keyStrength, assessment);
  assessSessionHandling(probe, assessment);
  assessHsts(input.hstsMaxAgeSeconds, assessment);

  const accepted = (Object.keys(PROTOCOL_LABELS) as ProtocolName[]).filter((protocol) => probe.protocols[protocol]);
  const score = scoreOf(accepted, keyStrength, probe);
  const capped = assessment.caps.reduce(worseOf, letterForScore(score.total));
  const gradeIgnoringTrust = capped !== 'A' ? capped : !probe.protocols['TLSv1.3'] ? 'A-' : assessment.aPlusWithheld ? 'A' : 'A+';
  const grade = input.acceptUntrusted || trust === 'trusted' ? gradeIgnoringTrust : trust;
  return { grade, gradeIgnoringTrust, score, findings: assessment.findings };
}

function assessProtocols(probe: TlsProbeResult, assessment: Assessment): void {
  const { findings } = assessment;
  if (probe.protocols.SSLv3) findings.push(fail(['TH-5', 'TH-18'], `SSL 3.0 accepted: broken by POODLE${assessment.capAt('C')}`));
  for (const protocol of ['TLSv1', 'TLSv1.1'] as const) {
    if (probe.protocols[protocol]) {
      findings.push(fail(['TH-5', 'TH-18'], `${PROTOCOL_LABELS[protocol]} accepted: deprecated by RFC 8996${assessment.capAt('B')}`));
    }
  }
  const refusedLegacy = (['SSLv3', 'TLSv1', 'TLSv1.1'] as const).filter((protocol) => !probe.protocols[protocol]);
  if (refusedLegacy.length > 0) {
    findings.push(pass(['TH-5'], `${refusedLegacy.map((protocol) => PROTOCOL_LABELS[protocol]).join(', ')} refused`));
  }
  if (probe.protocols['TLSv1.2']) findings.push(pass(['TH-5'], 'TLS 1.2 accepted'));
  else if (probe.protocols['TLSv1.3']) findings.push(pass(['TH-5'], 'TLS 1.2 not accepted: TLS 1.3 only'));
  else findings.push(fail(['TH-5', 'TH-18'], `neither TLS 1.2 nor TLS 1.3 accepted${assessment.capAt('C')}`));
  if (probe.protocols['TLSv1.3']) {
    const tls13 = probe.tls13Suites.filter((result) => result.accepted).map((result) => result.suite.name);
    findings.push(pass(['TH-18', 'TH-22'], `TLS 1.3 accepted (${tls13.join(', ') || 'no probed suite'})`));
  } else {
    findings.push(warn(['TH-18', 'TH-22'], 'TLS 1.3 not accepted: grade at most A-'));
  }
}

const BROKEN_CIPHERS = [
  { cipher: 'RC4', grade: 'C', why: 'biased keystream (RFC 7465 forbids it)' },
  { cipher: '3DES', grade: 'C', why: '64-bit blocks (Sweet32)' },
  { cipher: 'NULL', grade: 'F', why: 'no encryption at all' },
] as const;

/** TLS 1.2 only: every TLS 1.3 suite is forward secret and AEAD. */
function assessTls12Suites(probe: TlsProbeResult, assessment: Assessment): void {
  const { findings } = assessment;
  const suites = probe.tls12Suites.filter((result) => result.accepted).map((result) => result.suite);
  const names = (list: readonly Tls12CipherSuite[]) => list.map((suite) => suite.name).join(', ');

  const withoutForwardSecrecy = suites.filter((suite) => !isForwardSecret(suite));
  if (withoutForwardSecrecy.length > 0) {
    findings.push(fail(['TH-13', 'TH-18'], `no forward secrecy with ${names(withoutForwardSecrecy)}${assessment.capAt('B')}`));
  } else {
    findings.push(pass(['TH-13'], `forward secrecy with every accepted TLS 1.2 suite: ${names(suites)}`));
  }

  const dheResults = probe.tls12Suites.filter((result) => result.accepted && result.suite.keyExchange === 'DHE');
  if (dheResults.length > 0) {
    const groupBits = Math.min(...dheResults.map((result) => result.dhGroupBits ?? Number.POSITIVE_INFINITY));
    if (groupBits < 2048) {
      findings.push(fail(['TH-13', 'TH-18'], `DHE with a ${groupBits}-bit group: weak (Logjam)${assessment.capAt('B')}`));
    } else {
      const size = Number.isFinite(groupBits) ? ` (${groupBits}-bit group)` : '';
      findings.push(warn(['TH-13'], `DHE suites accepted${size}: forward secret, but ECDHE alone is faster and avoids DH key reuse (Raccoon)`));
    }
  }

  if (!suites.some(isAead) && !probe.protocols['TLSv1.3']) {
    findings.push(fail(['TH-14', 'TH-18'], `no AEAD suite (AES-GCM, ChaCha20-Poly1305)${assessment.capAt('B')}`));
  }
  const cbc = suites.filter((suite) => suite.cipher === 'AES-CBC');
  if (cbc.length > 0) {
    assessment.aPlusWithheld = true;
    findings.push(warn(['TH-14'], `CBC suites accepted (${names(cbc)}): TH-14 asks for none where possible; no A+ here`));
  } else {
    findings.push(pass(['TH-14'], 'only AEAD suites (AES-GCM, ChaCha20-Poly1305) accepted'));
  }

  for (const { cipher, grade, why } of BROKEN_CIPHERS) {
    const offending = suites.filter((suite) => suite.cipher === cipher);
    if (offending.length > 0) findings.push(fail(['TH-18', 'TH-22'], `${cipher} accepted (${names(offending)}): ${why}${assessment.capAt(grade)}`));
  }
  if (!suites.some((suite) => BROKEN_CIPHERS.some(({ cipher }) => suite.cipher === cipher))) {
    findings.push(pass(['TH-18', 'TH-22'], 'no RC4, 3DES or NULL suite accepted'));
  }
}

type TrustVerdict = 'trusted' | TrustGrade;

function assessCertificate(input: TlsGradeInput, keyStrength: number, assessment: Assessment): TrustVerdict {
  const { findings } = assessment;
  const { certificate } = input.probe;
  const keyDescription = describeKey(certificate);
  if (keyStrength < 1024) findings.push(fail(['TH-18', 'TH-22'], `certificate key ${keyDescription} is insecure${assessment.capAt('F')}`));
  else if (keyStrength < 2048) findings.push(fail(['TH-18', 'TH-22'], `certificate key ${keyDescription} is weak${assessment.capAt('B')}`));
  else findings.push(pass(['TH-18', 'TH-22'], `certificate key ${keyDescription}`));

  const expired = input.now.getTime() > certificate.validTo.getTime();
  const notYetValid = input.now.getTime() < certificate.validFrom.getTime();
  const trustProblem = expired
    ? `expired on ${isoDate(certificate.validTo)}`
    : notYetValid
      ? `not valid before ${isoDate(certificate.validFrom)}`
      : certificate.trusted
        ? undefined
        : `not trusted (${certificate.trustError ?? 'unknown reason'})`;
  const trustFinding = (problem: string, grade: TrustGrade, requirements: readonly string[]) =>
    input.acceptUntrusted
      ? warn(requirements, `certificate ${problem}; accepted because of --insecure (SSL Labs would grade ${grade})`)
      : fail(requirements, `certificate ${problem}: grade ${grade}`);
  if (trustProblem) findings.push(trustFinding(trustProblem, 'T', ['TH-3', 'TH-18']));
  else findings.push(pass(['TH-3'], `certificate chain trusted (issuer ${certificate.issuer})`));
  if (certificate.matchesHost) findings.push(pass(['TH-3'], `certificate names this host (${certificate.subject})`));
  else findings.push(trustFinding(`does not name this host (${certificate.hostError ?? 'name mismatch'})`, 'M', ['TH-3', 'TH-18']));

  if (!expired && !notYetValid) {
    const daysLeft = Math.floor((certificate.validTo.getTime() - input.now.getTime()) / DAY_MS);
    const until = `valid until ${isoDate(certificate.validTo)} (${daysLeft} days)`;
    findings.push(daysLeft < EXPIRY_WARNING_DAYS ? warn(['TH-3'], `certificate ${until}: renew now`) : pass(['TH-3'], `certificate ${until}`));
  }
  findings.push(
    input.probe.ocspStapled
      ? pass(['TH-12'], 'OCSP response stapled')
      : warn(['TH-12'], 'no OCSP response stapled (reported only; not part of the grade)'),
  );
  return trustProblem ? 'T' : certificate.matchesHost ? 'trusted' : 'M';
}

function assessSessionHandling(probe: TlsProbeResult, assessment: Assessment): void {
  const { findings } = assessment;
  if (!probe.protocols['TLSv1.2']) {
    findings.push(pass(['TH-21'], 'client-initiated renegotiation impossible without TLS 1.2'));
  } else if (probe.clientRenegotiation === 'accepted') {
    assessment.aPlusWithheld = true;
    findings.push(warn(['TH-21'], 'client-initiated renegotiation accepted: one client can make the server redo handshakes (DoS); no A+ here'));
  } else if (probe.clientRenegotiation === 'refused') {
    findings.push(pass(['TH-21'], 'client-initiated renegotiation refused'));
  } else {
    findings.push(warn(['TH-21'], 'client-initiated renegotiation could not be tested (no answer)'));
  }

  // Reported as SSL Labs and testssl.sh do, not graded: key rotation cannot be seen from outside.
  if (probe.tls12SessionTickets === true) {
    findings.push(
      warn(['TH-13'], 'TLS 1.2 session tickets issued: forward secrecy of resumed sessions then rests on the server rotating its ticket key (reported only)'),
    );
  } else if (probe.tls12SessionTickets === false) {
    findings.push(pass(['TH-13'], 'no TLS 1.2 session tickets, so resumption cannot weaken forward secrecy'));
  }
}

/** HSTS as SSL Labs weighs it: only for A+. */
function assessHsts(maxAgeSeconds: number | undefined, assessment: Assessment): void {
  if (maxAgeSeconds !== undefined && maxAgeSeconds >= A_PLUS_HSTS_SECONDS) {
    assessment.findings.push(pass(['TH-8', 'TH-18'], `HSTS max-age ${maxAgeSeconds} s is at least 180 days, as A+ requires`));
    return;
  }
  assessment.aPlusWithheld = true;
  const why = maxAgeSeconds === undefined || maxAgeSeconds === 0 ? 'no HSTS' : `HSTS max-age ${maxAgeSeconds} s is under 180 days`;
  assessment.findings.push(warn(['TH-8', 'TH-18'], `${why}: no A+`));
}

function scoreOf(accepted: readonly ProtocolName[], keyStrength: number, probe: TlsProbeResult): TlsScore {
  const protocolScores = accepted.map((protocol) => PROTOCOL_SCORES[protocol]);
  const protocol = protocolScores.length > 0 ? (Math.max(...protocolScores) + Math.min(...protocolScores)) / 2 : 0;
  const dhGroups = probe.tls12Suites.flatMap((result) => (result.accepted && result.dhGroupBits ? [result.dhGroupBits] : []));
  const keyExchange = keyExchangeScore(Math.min(keyStrength, ...dhGroups));
  const strengths = [
    ...probe.tls12Suites.filter((result) => result.accepted).map((result) => result.suite.strengthBits),
    ...probe.tls13Suites.filter((result) => result.accepted).map((result) => result.suite.strengthBits),
  ];
  // No TLS 1.2 or 1.3 suite data: counted as zero, and capped at C by the missing TLS 1.2/1.3 anyway.
  const cipherStrength =
    strengths.length > 0 ? (cipherStrengthScore(Math.max(...strengths)) + cipherStrengthScore(Math.min(...strengths))) / 2 : 0;
  const total = Math.round(0.3 * protocol + 0.3 * keyExchange + 0.4 * cipherStrength);
  return { protocol, keyExchange, cipherStrength, total };
}

function keyExchangeScore(bits: number): number {
  if (bits < 512) return 20;
  if (bits < 1024) return 40;
  if (bits < 2048) return 80;
  if (bits < 4096) return 90;
  return 100;
}

function cipherStrengthScore(bits: number): number {
  if (bits === 0) return 0;
  if (bits < 128) return 20;
  if (bits < 256) return 80;
  return 100;
}

function letterForScore(total: number): LetterGrade {
  if (total >= 80) return 'A';
  if (total >= 65) return 'B';
  if (total >= 50) return 'C';
  if (total >= 35) return 'D';
  if (total >= 20) return 'E';
  return 'F';
}

/** Elliptic-curve sizes to the RSA modulus of equal strength (NIST SP 800-57 part 1, table 2). */
export function rsaEquivalentBits(certificate: Pick<CertificateFacts, 'keyType' | 'keyBits'>): number {
  switch (certificate.keyType) {
    case 'rsa':
    case 'rsa-pss':
    case 'dsa':
      return certificate.keyBits;
    case 'ec':
    case 'ed25519':
    case 'ed448': {
      const bits = certificate.keyBits;
      if (bits >= 512) return 15360;
      if (bits >= 384) return 7680;
      if (bits >= 256) return 3072;
      if (bits >= 224) return 2048;
      if (bits >= 160) return 1024;
      return 512;
    }
    default:
      return 0;
  }
}

function describeKey(certificate: CertificateFacts): string {
  const bits = rsaEquivalentBits(certificate);
  switch (certificate.keyType) {
    case 'rsa':
    case 'rsa-pss':
    case 'dsa':
      return `${certificate.keyType.toUpperCase()} ${certificate.keyBits} bits`;
    case 'ec':
      return `EC ${certificate.curve ?? `${certificate.keyBits}-bit`} (as strong as RSA ${bits})`;
    case 'ed25519':
    case 'ed448':
      return `${certificate.keyType === 'ed25519' ? 'Ed25519' : 'Ed448'} (as strong as RSA ${bits})`;
    default:
      return 'of an unknown type';
  }
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}
