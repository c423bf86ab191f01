import { describe, expect, it } from 'vitest';
import { judgeRedirect, type RedirectExpectation } from './check-redirect.js';
import type { FetchOutcome } from './http-probes.js';

const EXPECTED: RedirectExpectation = { httpUrl: 'http://zaken.example.nl/', hostname: 'zaken.example.nl', httpsPort: 443 };

function answered(status: number, location?: string): FetchOutcome {
  return { ok: true, response: { status, headers: location ? { location } : {} } };
}

describe('judgeRedirect', () => {
  it('[TH-1] [TH-2] passes a permanent redirect to HTTPS on the same host and port', () => {
    const finding = judgeRedirect(answered(301, 'https://zaken.example.nl/'), EXPECTED);
    expect(finding.status).toBe('PASS');
    expect(finding.message).toContain('redirects (301) to https://zaken.example.nl/');
  });

  it('[TH-1] fails a plain-HTTP answer that serves content instead of redirecting', () => {
    const finding = judgeRedirect(answered(200), EXPECTED);
    expect(finding).toMatchObject({ status: 'FAIL', requirements: ['TH-1'] });
  });

  it('[TH-1] fails a redirect that stays on plain HTTP', () => {
    expect(judgeRedirect(answered(301, 'http://zaken.example.nl/login'), EXPECTED).status).toBe('FAIL');
  });

  it('[TH-2] fails a redirect to another host before HTTPS on this one, so HSTS is never set here', () => {
    const finding = judgeRedirect(answered(301, 'https://www.example.nl/'), EXPECTED);
    expect(finding).toMatchObject({ status: 'FAIL', requirements: ['TH-2'] });
  });

  it('[TH-1] [TH-2] warns about a temporary redirect and about a redirect to another HTTPS port', () => {
    expect(judgeRedirect(answered(302, 'https://zaken.example.nl/'), EXPECTED).status).toBe('WARN');
    expect(judgeRedirect(answered(301, 'https://zaken.example.nl:8443/'), EXPECTED).message).toContain('port 8443 instead of the checked 443');
  });

  it('[TH-1] [TH-2] warns when nothing listens on the plain-HTTP port', () => {
    const finding = judgeRedirect({ ok: false, reason: 'connection refused' }, EXPECTED);
    expect(finding.status).toBe('WARN');
    expect(finding.message).toContain('(connection refused)');
  });
});
