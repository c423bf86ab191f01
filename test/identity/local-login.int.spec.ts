import { openAppDataSource } from '@veilig/platform-database';
import { PasswordHasher, PostgresLocalAccountStore, TenantDirectory } from '@veilig/identity';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, type TestResponse } from '../support/http-client.js';
import { startTestApi, type TestApi } from '../support/test-api.js';
import { currentTotpCode } from '../support/totp.js';

const PASSWORD = 'paars olifant fietst langzaam';
const OWN_PASSWORD = 'groene kikker zwemt snel door de sloot';
const GENERIC_FAILURE = 'Aanmelden is niet gelukt.';

function cookieFrom(response: TestResponse, name: string): string | undefined {
  const header = response.headers['set-cookie'] ?? [];
  const match = header.map((cookie) => new RegExp(`^(__Host-${name}=[^;]+)`).exec(cookie)).find(Boolean);
  return match?.[1];
}

describe('local sign-in with password and authenticator app', () => {
  let service: TestApi;
  let owner: DataSource;
  const request = (path: string, options: { method?: string; form?: Record<string, string>; cookie?: string } = {}) =>
    send('https', service.port(), {
      path,
      method: options.method ?? (options.form ? 'POST' : 'GET'),
      ca: service.servedCertificatePem(),
      headers: {
        ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(options.cookie ? { cookie: options.cookie } : {}),
      },
      body: options.form ? new URLSearchParams(options.form).toString() : undefined,
    });
  const discover = async (identifier: string) => {
    const response = await request('/login', { form: { identifier } });
    expect(response.status).toBe(303);
    return String(response.headers['location']);
  };

  beforeAll(async () => {
    service = await startTestApi();
    owner = await openAppDataSource({ url: service.database.migrationUrl });
    const tenants = new TenantDirectory(owner);
    const local = await tenants.create({ slug: 'stichting-l', name: 'Stichting L', authMode: 'local-2fa', emailDomains: ['stichting-l.example.nl'] });
    await tenants.create({ slug: 'gemeente-f', name: 'Gemeente F', authMode: 'federated', emailDomains: ['gemeente-f.example.nl'] });
    await new PostgresLocalAccountStore(owner).createAccount(local.id, 'piet@stichting-l.example.nl', await new PasswordHasher().hash(PASSWORD));
  });
  afterAll(async () => {
    await owner?.destroy();
    await service?.close();
  });

  it('[SE-7.1] [SV-4] replaces the one-time password, enrols the authenticator app with a confirmation code, and shows recovery codes once', async () => {
    const ticketUrl = await discover('stichting-l');
    const form = await request(ticketUrl);
    expect(form.status).toBe(200);
    expect(form.body).toContain('type="password"');

    const passwordStep = await request(`${ticketUrl}/password`, { form: { email: 'Piet@Stichting-L.example.nl ', password: PASSWORD } });
    expect(passwordStep.status).toBe(303);
    expect(passwordStep.headers['location']).toBe('/login/enrol');
    expect(cookieFrom(passwordStep, 'session')).toBeUndefined();
    const login = cookieFrom(passwordStep, 'login')!;

    const enrolPage = await request('/login/enrol', { cookie: login });
    const manualKey = /id="manual-key">([^<]+)</.exec(enrolPage.body)![1]!;
    const enrolCookie = cookieFrom(enrolPage, 'login')!;
    const qr = await request('/login/enrol/qr.svg', { cookie: enrolCookie });
    expect(qr.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(qr.body).toMatch(/^<svg/);
    expect(qr.body).not.toMatch(/<script|style=/);

    const code = await currentTotpCode(manualKey);
    const weak = await request('/login/enrol', { form: { newPassword: 'welkom123456', code }, cookie: enrolCookie });
    expect(weak.status).toBe(400);
    expect(weak.body).toMatch(/<ul class="error" role="alert">/);
    const wrong = await request('/login/enrol', { form: { newPassword: OWN_PASSWORD, code: '000000' }, cookie: enrolCookie });
    expect(wrong.status).toBe(401);
    const enrolled = await request('/login/enrol', { form: { newPassword: OWN_PASSWORD, code }, cookie: enrolCookie });
    expect(enrolled.status).toBe(200);
    const recoveryCodes = [...enrolled.body.matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map((match) => match[1]!);
    expect(recoveryCodes).toHaveLength(10);
    const session = cookieFrom(enrolled, 'session')!;
    expect(enrolled.headers['set-cookie']).toEqual(
      expect.arrayContaining([expect.stringMatching(/^__Host-session=[\w-]{43}; Path=\/; Secure; HttpOnly; SameSite=Lax$/)]),
    );
    expect((await request('/api/session', { cookie: session })).json()).toMatchObject({ session: { authMethod: 'password+totp' } });

    // The operator's one-time password is gone; the user's own one signs in. The TOTP code just
    // used is refused (replay); a recovery code works once.
    const oneTime = await request(`${await discover('stichting-l')}/password`, { form: { email: 'piet@stichting-l.example.nl', password: PASSWORD } });
    expect(oneTime.status).toBe(401);
    const again = await request(`${await discover('piet@stichting-l.example.nl')}/password`, { form: { email: 'piet@stichting-l.example.nl', password: OWN_PASSWORD } });
    expect(again.headers['location']).toBe('/login/second-factor');
    const secondFactor = cookieFrom(again, 'login')!;
    const replayed = await request('/login/second-factor', { form: { code }, cookie: secondFactor });
    expect(replayed.status).toBe(401);
    expect(replayed.body).toContain(GENERIC_FAILURE);
    const recovered = await request('/login/second-factor', { form: { code: recoveryCodes[0]! }, cookie: secondFactor });
    expect(recovered.status).toBe(303);
    expect((await request('/api/session', { cookie: cookieFrom(recovered, 'session')! })).json()).toMatchObject({
      session: { authMethod: 'password+recovery-code' },
    });
    const reused = await request('/login/second-factor', { form: { code: recoveryCodes[0]! }, cookie: secondFactor });
    expect(reused.status).toBe(401);

    const reasons = (await service.auditEvents()).filter((event) => event.action === 'mfa.failed').map((event) => event.reason);
    expect(reasons).toEqual(expect.arrayContaining(['enrolment-mismatch', 'totp-replayed', 'bad-recovery-code']));
  });

  it('[SE-7.1] refuses a wrong password with the generic message and records the precise reason', async () => {
    const ticketUrl = await discover('stichting-l');
    const response = await request(`${ticketUrl}/password`, { form: { email: 'piet@stichting-l.example.nl', password: 'wrong password entirely' } });
    expect(response.status).toBe(401);
    expect(response.body).toContain(GENERIC_FAILURE);
    expect(cookieFrom(response, 'login')).toBeUndefined();
    const audited = await service.auditEvents();
    expect(audited.find((event) => event.action === 'auth.failed' && event.reason === 'bad-password')).toBeDefined();
    expect(JSON.stringify(service.logs)).not.toContain('wrong password entirely');
    expect(JSON.stringify(audited)).not.toContain('wrong password entirely');
  });

  it('[SE-7.2] offers a federated tenant no password login, and refuses one posted anyway', async () => {
    const ticketUrl = await discover('gemeente-f');
    const page = await request(ticketUrl);
    expect(page.body).not.toContain('type="password"');
    const forced = await request(`${ticketUrl}/password`, { form: { email: 'admin@gemeente-f.example.nl', password: PASSWORD } });
    expect(forced.status).toBe(404);
    expect(cookieFrom(forced, 'login')).toBeUndefined();
    const logged = (await service.auditEvents()).find((event) => event.action === 'auth.rejected' && event.reason === 'federated-tenant');
    expect(logged).toBeDefined();
  });

  it('[SE-7.1] answers discovery for unknown and known organisations alike, enumerating nothing', async () => {
    const known = await discover('stichting-l');
    const unknown = await discover('bestaat-niet');
    expect(unknown).toMatch(/^\/login\/t\/v1\.[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(unknown.length).toBe(known.length);
    const unknownPage = await request(unknown);
    const knownPage = await request(known);
    expect(unknownPage.status).toBe(knownPage.status);
    expect(unknownPage.body.replace(/\/login\/t\/[^/"]+/, '')).toBe(knownPage.body.replace(/\/login\/t\/[^/"]+/, ''));
    const attempt = await request(`${unknown}/password`, { form: { email: 'x@bestaat-niet.nl', password: PASSWORD } });
    expect(attempt.status).toBe(401);
    expect(attempt.body).toContain(GENERIC_FAILURE);
  });

  it('[SE-7.1] refuses a forged or tampered sign-in ticket and login cookie', async () => {
    const ticketUrl = await discover('stichting-l');
    const tampered = ticketUrl.slice(0, -2) + (ticketUrl.endsWith('A') ? 'B' : 'A') + ticketUrl.slice(-1);
    expect((await request(tampered)).headers['location']).toBe('/login');
    expect((await request('/login/second-factor', { cookie: '__Host-login=v1.dev.AAAA.BBBB.CCCC' })).headers['location']).toBe('/login');
  });
});
