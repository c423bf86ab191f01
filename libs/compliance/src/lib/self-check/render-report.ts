import type { Finding } from './findings.js';
import type { SelfCheckReport } from './run-self-check.js';

/** The report as the security officer reads it: one line per finding, then both grades and the verdict. */
export function renderReport(report: SelfCheckReport): string {
  const { headers, tls } = report;
  const { score } = tls;
  const status = headers.status === undefined ? 'no response' : `status ${headers.status}`;
  const tlsGradeNote =
    tls.grade === tls.gradeIgnoringTrust
      ? ''
      : ` (${tls.gradeIgnoringTrust} if the certificate were trusted for this host)`;
  const verdict = report.passed
    ? 'PASS: both grades are A or better'
    : 'FAIL: SV-3, TH-18 and TH-19 ask for at least A on both';
  return [
    `Self-check of ${report.target} at ${report.checkedAt}`,
    'Grades as securityheaders.com and the SSL Labs rating guide do, offline over real sockets (TH-21); method: docs/self-check.md',
    '',
    `Security headers (GET ${new URL(report.target).pathname}: ${status})`,
    ...headers.findings.map(renderFinding),
    '',
    'Plain HTTP',
    renderFinding(report.redirect),
    '',
    'TLS',
    ...tls.findings.map(renderFinding),
    '',
    `Headers grade: ${headers.grade}  [SV-3, TH-19]`,
    `TLS grade:     ${tls.grade}${tlsGradeNote}  [SV-3, TH-18]`,
    `               score ${score.total}: protocol ${score.protocol}, key exchange ${score.keyExchange}, cipher strength ${score.cipherStrength}`,
    `Verdict: ${verdict}  [SV-3, TH-18, TH-19, TH-21]`,
    '',
  ].join('\n');
}

function renderFinding(finding: Finding): string {
  return `  ${finding.status} [${finding.requirements.join(', ')}] ${finding.message}`;
}
