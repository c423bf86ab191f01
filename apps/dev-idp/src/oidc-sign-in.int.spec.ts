import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OidcRelyingParty, type OidcConnection } from '@veilig/identity';
import { issueCertificate, type IssuedCertificate } from '@veilig/platform-pki';
import { DEMO_DIRECTORIES, certificateCredentialJwks, startDevIdp, type RunningDevIdp } from './index.js';
import { TestBrowser, readForm } from './testing/test-browser.js';

const REDIRECT_URI = 'https://app.veilig.test/auth/oidc/callback';
const POST_LOGOUT_REDIRECT_URI = 'https://app.veilig.test/signed-out';
const [voorbeeld, proef] = DEMO_DIRECTORIES as [(typeof DEMO_DIRECTORIES)[number], (typeof DEMO_DIRECTORIES)[number]];
const [fenna, , sanne] = voorbeeld.users as [(typeof voorbeeld.users)[number], unknown, (typeof voorbeeld.users)[number]];

let tls: IssuedCertificate;
let credential: IssuedCertificate;
let idp: RunningDevIdp;
const clientId = randomUUID();
const secretClientId = randomUUID();
const clientSecret = randomUUID();
const proefClientId = randomUUID();

beforeAll(async () => {
  tls = await issueCertificate({ subject: 'CN=localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], extendedKeyUsages: ['serverAuth'] });
  credential = await issueCertificate({ subject: 'CN=Veilig relying party', key: 'rsa-2048' });
  const registration = { redirectUris: [REDIRECT_URI], postLogoutRedirectUris: [POST_LOGOUT_REDIRECT_URI] };
  idp = await startDevIdp({
    host: '127.0.0.1',
    port: 0,
    tls,
    production: false,
    directories: DEMO_DIRECTORIES,
    oidcClients: [
      { tenantId: voorbeeld.tenantId, clientId, jwks: certificateCredentialJwks(credential.certPem), ...registration },
      { tenantId: voorbeeld.tenantId, clientId: secretClientId, clientSecret, ...registration },
      { tenantId: proef.tenantId, clientId: proefClientId, jwks: certificateCredentialJwks(credential.certPem), ...registration },
    ],
    samlServiceProviders: [],
  });
});

afterAll(async () => {
  await idp?.close();
});

function relyingParty(overrides: Partial<OidcConnection> = {}, tenantId = voorbeeld.tenantId): OidcRelyingParty {
  return new OidcRelyingParty(
    {
      connectionId: 'gemeente-voorbeeld',
      issuer: idp.oidcIssuer(tenantId),
      expectedTenantId: tenantId,
      clientId,
      redirectUri: REDIRECT_URI,
      postLogoutRedirectUri: POST_LOGOUT_REDIRECT_URI,
      clientAuth: { method: 'private_key_jwt', privateKeyPem: credential.keyPem, certificatePem: credential.certPem },
      allowPrivateNetwork: true,
      ...overrides,
    },
    { outbound: { trustedCaPem: tls.certPem } },
  );
}

/** Starts a sign-in at the relying party and clicks through the dev IdP's user picker as `userOid`. */
async function signIn(rp: OidcRelyingParty, userOid: string, browser = new TestBrowser(tls.certPem)) {
  const login = await rp.beginLogin();
  const authorization = await browser.get(login.url);
  expect(authorization.status).toBe(303);
  const pickerUrl = authorization.location();
  const picker = await browser.get(pickerUrl);
  expect(picker.status).toBe(200);
  const form = readForm(picker.body);
  const picked = await browser.postForm(new URL(form.action, pickerUrl), { ...form.hiddenFields, oid: userOid });
  expect(picked.status).toBe(303);
  const resumed = await browser.get(picked.location());
  expect(resumed.status).toBe(303);
  return { login, picker, form, callback: resumed.location(), browser };
}

describe('the dev IdP as an Entra ID tenant for OpenID Connect', () => {
  it('[SE-7.1] an OIDC authorization-code flow with PKCE and private_key_jwt against the dev IdP yields Entra claims', async () => {
    const rp = relyingParty();
    const { login, picker, form, callback } = await signIn(rp, fenna.oid);

    expect(`${login.url.origin}${login.url.pathname}`).toBe(`${idp.origin}/${voorbeeld.tenantId}/oauth2/v2.0/authorize`);
    expect(form.buttons.map((button) => button.value)).toEqual(voorbeeld.users.map((user) => user.oid));
    expect(picker.body).toContain('Ontwikkel-IdP — niet voor productie');
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('iss')).toBe(idp.oidcIssuer(voorbeeld.tenantId));

    const identity = await rp.completeLogin(callback, login);
    expect(identity).toEqual({
      protocol: 'oidc',
      subject: fenna.oid,
      entraObjectId: fenna.oid,
      entraTenantId: voorbeeld.tenantId,
      givenName: 'Fenna',
      surname: 'de Vries',
      email: 'fenna.devries@voorbeeld.gemeente.example',
      displayName: 'Fenna de Vries',
      department: 'Informatievoorziening',
      groups: fenna.groups,
      roles: ['tenant-admin'],
      deviceId: undefined,
      idpSessionId: expect.stringMatching(/.{16,}/),
      idToken: expect.any(String),
      logoutHint: undefined,
      groupsOverage: false,
    });
    const claims = JSON.parse(Buffer.from(identity.idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: idp.oidcIssuer(voorbeeld.tenantId), aud: clientId, tid: voorbeeld.tenantId, preferred_username: fenna.email, sid: identity.idpSessionId });
    // Entra's sub is pairwise: never the oid, and another for every application.
    expect(claims['sub']).not.toBe(fenna.oid);
  });

  it('[SV-4] a demo user without department yields an identity without department (OIDC)', async () => {
    const rp = relyingParty();
    const { login, callback } = await signIn(rp, sanne.oid);

    const identity = await rp.completeLogin(callback, login);
    expect(identity).toMatchObject({ entraObjectId: sanne.oid, givenName: 'Sanne', surname: 'Jansen', email: sanne.email, department: undefined, roles: ['auditor'], groups: [] });
  });

  it('[SE-7.1] serves the user picker without inline script or style, under a same-origin CSP', async () => {
    const { picker } = await signIn(relyingParty(), fenna.oid);

    const csp = String(picker.headers['content-security-policy']);
    expect(csp).toMatch(/(^|; ?)default-src 'self'(;|$)/);
    expect(csp).toMatch(/form-action 'self' https:\/\/app\.veilig\.test(;|$)/);
    expect(csp).not.toContain('unsafe-inline');
    expect(picker.body).not.toMatch(/<script|<style|\sstyle=|\son\w+=/i);
    expect(picker.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(picker.headers['x-frame-options']).toBe('DENY');
  });

  it('[SE-7.1] requires PKCE: an authorization request without a code challenge is refused', async () => {
    const authorize = new URL(`${idp.origin}/${voorbeeld.tenantId}/oauth2/v2.0/authorize`);
    authorize.search = new URLSearchParams({ client_id: clientId, redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'openid', state: 'state-1' }).toString();

    const refused = await new TestBrowser(tls.certPem).get(authorize);
    expect(refused.status).toBe(303);
    expect(Object.fromEntries(refused.location().searchParams)).toMatchObject({ error: 'invalid_request', state: 'state-1' });
    expect(refused.location().searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('[SE-7.2] refuses a client assertion signed by a certificate the app registration does not hold', async () => {
    const stranger = await issueCertificate({ subject: 'CN=Not the registered credential', key: 'rsa-2048' });
    const rp = relyingParty({ clientAuth: { method: 'private_key_jwt', privateKeyPem: stranger.keyPem, certificatePem: stranger.certPem } });
    const { login, callback } = await signIn(rp, fenna.oid);

    await expect(rp.completeLogin(callback, login)).rejects.toMatchObject({ reason: 'idp-error', idpErrorCode: 'invalid_client' });
  });

  it('[SE-7.1] accepts client_secret_post for an app registration that only has a secret', async () => {
    const rp = relyingParty({ clientId: secretClientId, clientAuth: { method: 'client_secret_post', clientSecret } });
    const { login, callback } = await signIn(rp, fenna.oid);

    await expect(rp.completeLogin(callback, login)).resolves.toMatchObject({ entraObjectId: fenna.oid });
  });

  it('[SE-7.1] ends the session at RP-initiated logout and returns to the registered post_logout_redirect_uri', async () => {
    const rp = relyingParty();
    const { login, callback, browser } = await signIn(rp, fenna.oid);
    const identity = await rp.completeLogin(callback, login);

    const logoutUrl = await rp.buildLogoutUrl(identity);
    expect(`${logoutUrl.origin}${logoutUrl.pathname}`).toBe(`${idp.origin}/${voorbeeld.tenantId}/oauth2/v2.0/logout`);
    const confirmation = await browser.get(logoutUrl);
    expect(confirmation.status).toBe(200);
    expect(confirmation.body).not.toMatch(/<script|<style|\sstyle=/i);
    const form = readForm(confirmation.body);
    const loggedOut = await browser.postForm(new URL(form.action, logoutUrl), { ...form.hiddenFields, logout: 'yes' });
    expect(loggedOut.status).toBe(303);
    expect(loggedOut.location().href).toBe(POST_LOGOUT_REDIRECT_URI);

    // Signed out: the next sign-in in the same browser asks who it is again instead of signing in silently.
    const again = await browser.get((await rp.beginLogin()).url);
    expect(again.location().pathname).toMatch(new RegExp(`^/${voorbeeld.tenantId}/interaction/[\\w-]+$`));
    const refused = await browser.get(withParameter(logoutUrl, 'post_logout_redirect_uri', 'https://elders.example/'));
    expect(refused.status).toBe(400);
  });

  it("[SE-7.1] keeps each tenant's browser session to itself", async () => {
    const browser = new TestBrowser(tls.certPem);
    await signIn(relyingParty(), fenna.oid, browser);

    const atProef = await browser.get((await relyingParty({ clientId: proefClientId }, proef.tenantId).beginLogin()).url);
    expect(atProef.status).toBe(303);
    const picker = await browser.get(atProef.location());
    expect(readForm(picker.body).buttons.map((button) => button.value)).toEqual(proef.users.map((user) => user.oid));
  });
});

function withParameter(url: URL, name: string, value: string): URL {
  const changed = new URL(url);
  changed.searchParams.set(name, value);
  return changed;
}
