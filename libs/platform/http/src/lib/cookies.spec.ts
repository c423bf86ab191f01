import { describe, expect, it } from 'vitest';
import { CookiePolicyError, CookieWriter } from './cookies.js';

describe('CookieWriter', () => {
  const writer = new CookieWriter({ allowSameSiteNone: false });

  it('[TH-11] makes every cookie __Host-, Secure, HttpOnly and SameSite', () => {
    expect(writer.serialize('session', 'abc123')).toBe('__Host-session=abc123; Path=/; Secure; HttpOnly; SameSite=Strict');
    expect(writer.serialize('state', 'x', { sameSite: 'Lax', maxAgeSeconds: 600 })).toBe(
      '__Host-state=x; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=600',
    );
  });

  it('[TH-11] refuses SameSite=None unless explicitly allowed', () => {
    expect(() => writer.serialize('embed', 'x', { sameSite: 'None' })).toThrow(CookiePolicyError);
    expect(new CookieWriter({ allowSameSiteNone: true }).serialize('embed', 'x', { sameSite: 'None' })).toMatch(/; SameSite=None$/);
  });

  it('[TH-11] refuses values that could inject attributes, and names that are not tokens', () => {
    expect(() => writer.serialize('session', 'abc; Domain=evil.example')).toThrow(/encode it/);
    expect(() => writer.serialize('session', 'line\r\nSet-Cookie: x=y')).toThrow(CookiePolicyError);
    expect(() => writer.serialize('bad name', 'x')).toThrow(/token/);
  });

  it('[TH-11] refuses cookies larger than browsers keep', () => {
    expect(() => writer.serialize('big', 'x'.repeat(5000))).toThrow(/exceeds/);
  });

  it('[TH-11] clears a cookie with the same attributes', () => {
    expect(writer.serialize('session', '', { maxAgeSeconds: 0 })).toBe('__Host-session=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0');
  });
});
