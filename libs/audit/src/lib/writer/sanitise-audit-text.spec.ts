import { describe, expect, it } from 'vitest';
import { MAX_AUDIT_TEXT_LENGTH, REDACTED, sanitiseAuditText } from './sanitise-audit-text.js';
import { SECRET_SAMPLES } from './testing/secret-samples.js';

describe('sanitiseAuditText', () => {
  it.each(Object.entries(SECRET_SAMPLES))('[SE-3.3] [SE-6.1] replaces a %s inside other text', (_kind, { text, mustNotSurvive }) => {
    const sanitised = sanitiseAuditText(`before ${text} after`);
    expect(sanitised).not.toContain(mustNotSurvive);
    expect(sanitised).toContain(REDACTED);
    expect(sanitised).toMatch(/^before /);
    expect(sanitised).toMatch(/ after$/);
  });

  it('[SE-3.3] leaves ordinary text, short base64 and non-secret cookies alone', () => {
    for (const text of ['Jan de Vries <jan@gemeente.example>', 'PD94bWw=', 'theme=dark', 'statusCode=500', 'Ŝtraße 12 — 🙂']) {
      expect(sanitiseAuditText(text)).toBe(text);
    }
  });

  it('[SE-3.3] escapes CR, LF, other C0 and C1 controls, ANSI escapes, line separators and bidi overrides to visible \\uXXXX', () => {
    const forged = 'jan\r\n2026-01-01 auth.logon success admin\u0000\u001b[31mred\u0085\u2028\u2029\u202e';
    const sanitised = sanitiseAuditText(forged);
    expect(sanitised).toBe('jan\\u000d\\u000a2026-01-01 auth.logon success admin\\u0000\\u001b[31mred\\u0085\\u2028\\u2029\\u202e');
    expect(sanitised).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202e]/);
  });

  it('[SE-3.3] cuts long text with a marker, without splitting a surrogate pair, and replaces lone surrogates', () => {
    const long = sanitiseAuditText('x'.repeat(MAX_AUDIT_TEXT_LENGTH - 1) + '🙂' + 'y'.repeat(5_000));
    expect(long).toBe(`${'x'.repeat(MAX_AUDIT_TEXT_LENGTH - 1)}…[cut 5002 characters]`);
    expect(sanitiseAuditText('a\ud800b\udc00c')).toBe('a\ufffdb\ufffdc');
  });

  it('[SE-3.3] [SE-6.1] keeps no part of a secret that is cut off, and stays bounded on huge input', () => {
    const { text } = SECRET_SAMPLES['jwt']!;
    const cutJwt = text.slice(0, text.indexOf('.') + 12);
    expect(sanitiseAuditText(`id ${cutJwt}`)).toBe(`id ${REDACTED}`);
    const huge = sanitiseAuditText(`${'eyJ'.repeat(2_000_000)} ${text}`);
    expect(huge).toMatch(/…\[cut \d+ characters\]$/);
    expect(huge.length).toBeLessThan(MAX_AUDIT_TEXT_LENGTH + 40);
  });
});
