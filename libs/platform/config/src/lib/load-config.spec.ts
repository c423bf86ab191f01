import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate } from '@veilig/platform-pki';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from './config.error.js';
import { DEVELOPMENT_CERTIFICATE_MARK, loadConfig } from './load-config.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, NOW);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  let trustedCert: string;
  let developmentCert: string;
  let productionEnv: Record<string, string>;

  beforeAll(async () => {
    const folder = mkdtempSync(join(tmpdir(), 'veilig-config-'));
    const ca = await issueCertificate({ subject: 'CN=Test Root', isCa: true });
    const leaf = await issueCertificate({ subject: 'CN=zaken.example.nl', issuer: ca, dnsNames: ['zaken.example.nl'] });
    const dev = await issueCertificate({ subject: `CN=localhost, O=${DEVELOPMENT_CERTIFICATE_MARK}`, dnsNames: ['localhost'] });
    trustedCert = join(folder, 'cert.pem');
    developmentCert = join(folder, 'dev-cert.pem');
    writeFileSync(trustedCert, leaf.certPem + ca.certPem);
    writeFileSync(join(folder, 'key.pem'), leaf.keyPem);
    writeFileSync(developmentCert, dev.certPem);
    productionEnv = {
      NODE_ENV: 'production',
      PUBLIC_ORIGIN: 'https://zaken.example.nl',
      TLS_CERT_FILE: trustedCert,
      TLS_KEY_FILE: join(folder, 'key.pem'),
      SECURITY_CONTACT: 'mailto:security@gemeente.example.nl',
      SECURITY_TXT_EXPIRES: new Date(NOW.getTime() + 180 * DAY).toISOString(),
      SESSION_SECRET: 'Zq3v9XbT1pLk7mWc2RfY8hNd4sGj6uAe0oIx',
      SECRETS_ENCRYPTION_KEYS: 'k1:' + Buffer.alloc(32, 7).toString('base64'),
      DATABASE_URL: 'postgres://veilig_owner:pw@db.internal:5432/veilig',
      DATABASE_APP_URL: 'postgres://veilig_app:pw@db.internal:5432/veilig',
      AUDIT_SIGNING_KEY_FILE: join(folder, 'audit-signing-key.pem'),
    };
  });

  it('starts with no settings at all outside production (embedded defaults)', () => {
    const config = loadConfig({}, NOW);
    expect(config.http.httpsPort).toBe(3443);
    expect(config.http.httpPort).toBe(3080);
    expect(config.http.publicOrigin.toString()).toBe('https://localhost:3443/');
    expect(config.database.migrationUrl).toBeUndefined();
    expect(config.tls.mode).toBe('native');
  });

  it('[SE-6.3] accepts a complete, secure production configuration', () => {
    expect(problemsOf(productionEnv)).toEqual([]);
  });

  it('[SE-6.3] [TH-1] refuses plain HTTP without TRUST_PROXY, in every mode', () => {
    expect(problemsOf({ TLS_MODE: 'offloaded' })).toEqual([expect.stringMatching(/^TRUST_PROXY: required with TLS_MODE=offloaded/)]);
    expect(problemsOf({ ...productionEnv, TLS_MODE: 'offloaded' })).toEqual([expect.stringMatching(/^TRUST_PROXY:/)]);
  });

  it('[TH-3] refuses the development certificate and a missing certificate in production', () => {
    expect(problemsOf({ ...productionEnv, TLS_CERT_FILE: developmentCert })).toContainEqual(
      expect.stringMatching(/^TLS_CERT_FILE: is the generated development certificate/),
    );
    const { TLS_CERT_FILE: _cert, TLS_KEY_FILE: _key, ...withoutCert } = productionEnv;
    expect(problemsOf(withoutCert)).toContainEqual(expect.stringMatching(/^TLS_CERT_FILE: required in production/));
  });

  it('[SE-9.1] refuses a missing security contact in production', () => {
    const { SECURITY_CONTACT: _contact, ...env } = productionEnv;
    expect(problemsOf(env)).toEqual(['SECURITY_CONTACT: required in production (security.txt, SE-9.1)']);
  });

  it('[SE-9.1] refuses a security contact that is not a mailto: or https: URI', () => {
    expect(problemsOf({ SECURITY_CONTACT: 'http://insecure.example/report' })).toEqual([
      'SECURITY_CONTACT: "http://insecure.example/report" is not a mailto: or https: URI',
    ]);
  });

  it('[SE-9.1] refuses a security.txt that has expired or expires more than a year ahead', () => {
    expect(problemsOf({ ...productionEnv, SECURITY_TXT_EXPIRES: '2026-01-01T00:00:00Z' })).toEqual([
      expect.stringMatching(/^SECURITY_TXT_EXPIRES: .* has passed/),
    ]);
    expect(problemsOf({ ...productionEnv, SECURITY_TXT_EXPIRES: '2028-01-01T00:00:00Z' })).toEqual([
      expect.stringMatching(/^SECURITY_TXT_EXPIRES: .* more than a year ahead/),
    ]);
    const { SECURITY_TXT_EXPIRES: _expires, ...env } = productionEnv;
    expect(problemsOf(env)).toEqual([expect.stringMatching(/^SECURITY_TXT_EXPIRES: required in production/)]);
  });

  it('refuses a weak session secret in production', () => {
    for (const secret of ['short', 'a'.repeat(40), 'change-me-change-me-change-me-change-me-please']) {
      expect(problemsOf({ ...productionEnv, SESSION_SECRET: secret }), secret).toContainEqual(expect.stringMatching(/^SESSION_SECRET:/));
    }
  });

  it('[SE-6.1] refuses embedded PostgreSQL and a shared database role in production', () => {
    const { DATABASE_URL: _m, DATABASE_APP_URL: _a, ...env } = productionEnv;
    expect(problemsOf(env)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^DATABASE_URL: required/), expect.stringMatching(/^DATABASE_APP_URL: required/)]),
    );
    expect(problemsOf({ ...productionEnv, DATABASE_APP_URL: productionEnv['DATABASE_URL']! })).toEqual([
      expect.stringMatching(/^DATABASE_APP_URL: must use another role/),
    ]);
  });

  it('lists every problem of a broken production configuration at once, each naming its variable', () => {
    const problems = problemsOf({ NODE_ENV: 'production', PUBLIC_ORIGIN: 'http://zaken.example.nl', SESSION_SECRET: 'weak' });
    expect(problems.map((line) => line.split(':')[0])).toEqual(
      expect.arrayContaining([
        'PUBLIC_ORIGIN',
        'TLS_CERT_FILE',
        'SECURITY_CONTACT',
        'SECURITY_TXT_EXPIRES',
        'SESSION_SECRET',
        'DATABASE_URL',
        'DATABASE_APP_URL',
        'SECRETS_ENCRYPTION_KEYS',
        'AUDIT_SIGNING_KEY_FILE',
      ]),
    );
    try {
      loadConfig({ NODE_ENV: 'production' }, NOW);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/^Configuration is not valid:\n {2}- /);
    }
  });

  it('names the variable and the problem for malformed values', () => {
    expect(problemsOf({ HTTPS_PORT: 'abc', TLS_MODE: 'sometimes', DATABASE_URL: 'mysql://x' })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^HTTPS_PORT: /),
        expect.stringMatching(/^TLS_MODE: /),
        'DATABASE_URL: must be a postgres:// URL',
      ]),
    );
    expect(problemsOf({ HTTP_PORT: '70000' })).toEqual(['HTTP_PORT: must be between 0 and 65535']);
    expect(problemsOf({ TLS_CERT_FILE: '/x.pem' })).toEqual(['TLS_KEY_FILE: TLS_CERT_FILE and TLS_KEY_FILE go together']);
    expect(problemsOf({ SECRETS_ENCRYPTION_KEYS: 'k1:tooshort' })).toEqual(['SECRETS_ENCRYPTION_KEYS: each key must be `<id>:<32 bytes in base64>`']);
  });

  it('only allows the public host in production and adds loopback names in development', () => {
    expect(loadConfig(productionEnv, NOW).http.allowedHosts).toEqual(['zaken.example.nl']);
    expect(loadConfig({}, NOW).http.allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
  });
});
