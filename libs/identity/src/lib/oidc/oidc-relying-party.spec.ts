import { constants, createHash, createPublicKey, randomUUID, verify, X509Certificate } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { issueCertificate, type IssuedCertificate } from '@veilig/platform-pki';
import type { OidcConnection } from './oidc-connection.js';
import { OidcError } from './oidc-error.js';
import { OidcRelyingParty, type OidcRelyingPartyOptions } from './oidc-relying-party.js';
import { createGuardedFetch } from './ssrf-guard.js';
import { startEntraLikeProvider, type EntraLikeProvider, type EntraUserClaims } from './testing/entra-like-provider.js';
import { startForgingIdentityProvider, type ForgingIdentityProvider } from './testing/forging-identity-provider.js';
import { FrontChannel } from './testing/front-channel.js';
import { startLoopbackHttpsServer, type LoopbackHttpsServer } from './testing/loopback-https-server.js';

const REDIRECT_URI = 'https://app.veilig.test/auth/oidc/callback';
const POST_LOGOUT_REDIRECT_URI = 'https://app.veilig.test/signed-out';

let credential: IssuedCertificate;

beforeAll(async () => {
  credential = await issueCertificate({ subject: 'CN=Veilig relying party, O=Veilig tests', key: 'rsa-2048' });
});

function connectionTo(issuer: string, tenantId: string, clientId: string, overrides: Partial<OidcConnection> = {}): OidcConnection {
  return {
    connectionId: 'gemeente-voorbeeld',
    issuer,
    expectedTenantId: tenantId,
    clientId,
    redirectUri: REDIRECT_URI,
    postLogoutRedirectUri: POST_LOGOUT_REDIRECT_URI,
    clientAuth: { method: 'private_key_jwt', privateKeyPem: credential.keyPem, certificatePem: credential.certPem },
    allowPrivateNetwork: true,
    ...overrides,
  };
}

function jwtPart(jwt: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[index] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('OidcRelyingParty against a real OpenID provider dressed as Entra ID', () => {
  const clientId = randomUUID();
  const secretClientId = randomUUID();
  const clientSecret = randomUUID();
  const jan: EntraUserClaims = {
    oid: randomUUID(),
    preferred_username: 'jan.jansen@gemeente.example',
    name: 'Jan Jansen',
    given_name: 'Jan',
    family_name: 'Jansen',
    email: 'j.jansen@gemeente.example',
    department: 'Burgerzaken',
    roles: ['Veilig.Admin', 'Veilig.Reader'],
    groups: [randomUUID(), randomUUID()],
    deviceid: randomUUID(),
  };
  const guestFromOtherTenant: EntraUserClaims = { oid: randomUUID(), tid: randomUUID(), preferred_username: 'gast@elders.example' };
  let provider: EntraLikeProvider;

  beforeAll(async () => {
    provider = await startEntraLikeProvider({
      clients: [
        {
          clientId,
          redirectUri: REDIRECT_URI,
          postLogoutRedirectUri: POST_LOGOUT_REDIRECT_URI,
          auth: { method: 'private_key_jwt', certificatePem: credential.certPem },
        },
        {
          clientId: secretClientId,
          redirectUri: REDIRECT_URI,
          postLogoutRedirectUri: POST_LOGOUT_REDIRECT_URI,
          auth: { method: 'client_secret_post', clientSecret },
        },
      ],
      users: [jan, guestFromOtherTenant],
    });
  });

  afterAll(async () => {
    await provider.close();
  });

  function relyingParty(overrides: Partial<OidcConnection> = {}): OidcRelyingParty {
    return new OidcRelyingParty(connectionTo(provider.issuer, provider.tenantId, clientId, overrides), {
      outbound: { trustedCaPem: provider.caPem },
    });
  }

  /** Runs the browser's part of a sign-in in a fresh browser and returns the callback URL. */
  async function signIn(rp: OidcRelyingParty, loginHint?: string) {
    const login = await rp.beginLogin(loginHint === undefined ? {} : { loginHint });
    const browser = new FrontChannel(provider.caPem);
    const callback = await browser.followToCallback(login.url, REDIRECT_URI);
    return { login, callback, browser };
  }

  function withParameter(url: URL, name: string, value: string | undefined): URL {
    const changed = new URL(url);
    if (value === undefined) changed.searchParams.delete(name);
    else changed.searchParams.set(name, value);
    return changed;
  }

  it('[SE-7.1] [SV-4] completes an authorization-code flow with PKCE and private_key_jwt and maps Entra claims', async () => {
    const rp = relyingParty();
    const { login, callback } = await signIn(rp);

    const request = login.url.searchParams;
    expect(`${login.url.origin}${login.url.pathname}`).toBe(`${provider.issuer}/auth`);
    expect(Object.fromEntries(request)).toMatchObject({
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      response_mode: 'query',
      scope: 'openid profile email',
      code_challenge_method: 'S256',
      state: login.state,
      nonce: login.nonce,
    });
    expect(request.get('code_challenge')).toBe(createHash('sha256').update(login.codeVerifier).digest('base64url'));
    // 32 random bytes each, base64url: 256 bits, twice the 128 the brief asks for.
    for (const secret of [login.state, login.nonce, login.codeVerifier]) expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(callback.searchParams.get('iss')).toBe(provider.issuer);

    const identity = await rp.completeLogin(callback, login);
    expect(identity).toEqual({
      protocol: 'oidc',
      subject: jan.oid,
      entraObjectId: jan.oid,
      entraTenantId: provider.tenantId,
      givenName: 'Jan',
      surname: 'Jansen',
      email: 'j.jansen@gemeente.example',
      displayName: 'Jan Jansen',
      department: 'Burgerzaken',
      groups: jan.groups,
      roles: jan.roles,
      deviceId: jan.deviceid,
      idpSessionId: expect.stringMatching(/.{16,}/),
      idToken: expect.any(String),
      logoutHint: undefined,
      groupsOverage: false,
    });
    const idTokenClaims = jwtPart(identity.idToken, 1);
    expect(idTokenClaims['sid']).toBe(identity.idpSessionId);
    // The user key is the oid, not the pairwise sub the IdP also sends.
    expect(idTokenClaims['sub']).not.toBe(jan.oid);
  });

  it('[SE-7.1] refuses a callback whose state is not the one the browser session started with', async () => {
    const rp = relyingParty();
    const { login, callback } = await signIn(rp);
    const otherLogin = await rp.beginLogin();

    await expect(rp.completeLogin(callback, { ...login, state: otherLogin.state })).rejects.toMatchObject({ reason: 'state-mismatch' });
    await expect(rp.completeLogin(withParameter(callback, 'state', undefined), login)).rejects.toMatchObject({ reason: 'state-mismatch' });
    const repeated = new URL(callback);
    repeated.searchParams.append('state', login.state);
    await expect(rp.completeLogin(repeated, login)).rejects.toMatchObject({ reason: 'callback-invalid' });
    // The code was not spent by the refusals: the genuine callback still completes.
    await expect(rp.completeLogin(callback, login)).resolves.toMatchObject({ subject: jan.oid });
  });

  it('[SE-7.1] refuses an id_token whose nonce belongs to another sign-in', async () => {
    const rp = relyingParty();
    const first = await rp.beginLogin();
    const { login: second, callback: secondCallback } = await signIn(rp);

    await expect(rp.completeLogin(secondCallback, { ...second, nonce: first.nonce })).rejects.toMatchObject({ reason: 'nonce-mismatch' });
  });

  it('[SE-7.1] refuses to redeem a code without its PKCE verifier, and a code a second time', async () => {
    const rp = relyingParty();
    const other = await rp.beginLogin();
    const { login, callback } = await signIn(rp);

    await expect(rp.completeLogin(callback, { ...login, codeVerifier: other.codeVerifier })).rejects.toMatchObject({
      reason: 'idp-error',
      idpErrorCode: 'invalid_grant',
    });
    const { login: fresh, callback: freshCallback } = await signIn(rp);
    await rp.completeLogin(freshCallback, fresh);
    await expect(rp.completeLogin(freshCallback, fresh)).rejects.toMatchObject({ reason: 'idp-error', idpErrorCode: 'invalid_grant' });
  });

  it('[SE-7.1] refuses an id_token from the same issuer for another Entra tenant (tid)', async () => {
    const rp = relyingParty();
    const { login, callback } = await signIn(rp, guestFromOtherTenant.preferred_username);

    await expect(rp.completeLogin(callback, login)).rejects.toMatchObject({ reason: 'tenant-mismatch' });
  });

  it('[SE-7.1] RFC 9207: refuses a callback without the iss parameter or with another issuer in it', async () => {
    const rp = relyingParty();
    const { login, callback } = await signIn(rp);
    const otherIssuer = `https://login.microsoftonline.com/${randomUUID()}/v2.0`;

    await expect(rp.completeLogin(withParameter(callback, 'iss', undefined), login)).rejects.toMatchObject({ reason: 'iss-parameter-mismatch' });
    await expect(rp.completeLogin(withParameter(callback, 'iss', otherIssuer), login)).rejects.toMatchObject({ reason: 'iss-parameter-mismatch' });
    await expect(rp.completeLogin(callback, login)).resolves.toMatchObject({ subject: jan.oid });
  });

  it("[SE-7.1] reports the IdP's error answer with its OAuth error code", async () => {
    const rp = relyingParty();
    const { login, callback } = await signIn(rp, 'onbekend@gemeente.example');

    expect(callback.searchParams.get('error')).toBe('access_denied');
    await expect(rp.completeLogin(callback, login)).rejects.toMatchObject({ reason: 'idp-error', idpErrorCode: 'access_denied' });
  });

  it('[SE-7.1] builds an RP-initiated logout URL with id_token_hint and post_logout_redirect_uri that the IdP accepts', async () => {
    const rp = relyingParty();
    const { login, callback, browser } = await signIn(rp);
    const identity = await rp.completeLogin(callback, login);

    const logoutUrl = await rp.buildLogoutUrl(identity);
    expect(`${logoutUrl.origin}${logoutUrl.pathname}`).toBe(`${provider.issuer}/session/end`);
    expect(logoutUrl.searchParams.get('id_token_hint')).toBe(identity.idToken);
    expect(logoutUrl.searchParams.get('post_logout_redirect_uri')).toBe(POST_LOGOUT_REDIRECT_URI);
    // The signed-in browser gets the IdP's sign-out confirmation for its session.
    const accepted = await browser.get(logoutUrl);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toContain('op.logoutForm');
    // The same request with an unregistered return address is refused: the 200 above means the IdP checked it.
    const refused = await browser.get(withParameter(logoutUrl, 'post_logout_redirect_uri', 'https://elders.example/'));
    expect(refused.status).toBe(400);

    const withoutIdToken = await rp.buildLogoutUrl({ logoutHint: 'jan.jansen@gemeente.example' });
    expect(withoutIdToken.searchParams.get('logout_hint')).toBe('jan.jansen@gemeente.example');
    expect(withoutIdToken.searchParams.has('id_token_hint')).toBe(false);
  });

  it('[SE-7.1] falls back to client_secret_post when the tenant only issued a client secret', async () => {
    const rp = relyingParty({ clientId: secretClientId, clientAuth: { method: 'client_secret_post', clientSecret } });
    const { login, callback } = await signIn(rp);
    await expect(rp.completeLogin(callback, login)).resolves.toMatchObject({ subject: jan.oid });

    const wrongSecret = relyingParty({ clientId: secretClientId, clientAuth: { method: 'client_secret_post', clientSecret: 'wrong' } });
    const second = await signIn(wrongSecret);
    await expect(wrongSecret.completeLogin(second.callback, second.login)).rejects.toMatchObject({
      reason: 'idp-error',
      idpErrorCode: 'invalid_client',
    });
  });

  it('[SE-7.1] refuses this loopback IdP unless the connection allows private networks', async () => {
    await expect(relyingParty({ allowPrivateNetwork: false }).beginLogin()).rejects.toMatchObject({ reason: 'ssrf-refused' });
  });
});

describe('OidcRelyingParty against an IdP that forges what a correct one never sends', () => {
  const clientId = randomUUID();
  let forger: ForgingIdentityProvider;

  beforeAll(async () => {
    forger = await startForgingIdentityProvider({ clientId });
  });

  afterEach(() => {
    forger.metadataOverrides = {};
    forger.discoveryRedirect = undefined;
  });

  afterAll(async () => {
    await forger.close();
  });

  function relyingParty(options: Omit<OidcRelyingPartyOptions, 'outbound'> = {}): OidcRelyingParty {
    return new OidcRelyingParty(connectionTo(forger.issuer, forger.tenantId, clientId), { ...options, outbound: { trustedCaPem: forger.caPem } });
  }

  /** A sign-in whose token response carries the id_token `forge` makes from the claims of a good one. */
  async function signInWith(forge: (validClaims: Record<string, unknown>) => string) {
    const rp = relyingParty();
    const login = await rp.beginLogin();
    forger.answerNextTokenRequest(forge(forger.validClaims(login.nonce)));
    return rp.completeLogin(forger.callbackUrl(REDIRECT_URI, login.state), login);
  }

  it('[SE-7.1] accepts a correctly signed Entra id_token without an iss parameter (control for the refusals below)', async () => {
    await expect(signInWith((claims) => forger.signIdToken(claims))).resolves.toMatchObject({ protocol: 'oidc', entraTenantId: forger.tenantId });
  });

  it("[SE-7.1] signs the client assertion as Entra's certificate credential expects: PS256, x5t#S256, aud = token endpoint", async () => {
    await signInWith((claims) => forger.signIdToken(claims));
    const form = forger.received.tokenRequests.at(-1);
    expect(form?.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    expect(form?.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const assertion = form?.get('client_assertion') ?? '';
    const thumbprint = createHash('sha256').update(new X509Certificate(credential.certPem).raw).digest('base64url');
    expect(jwtPart(assertion, 0)).toEqual({ alg: 'PS256', typ: 'JWT', kid: thumbprint, 'x5t#S256': thumbprint });
    const claims = jwtPart(assertion, 1);
    expect(claims).toMatchObject({ iss: clientId, sub: clientId, aud: forger.tokenEndpoint, jti: expect.any(String) });
    expect(Number(claims['exp']) - Number(claims['iat'])).toBeLessThanOrEqual(300);
    const [header = '', payload = '', signature = ''] = assertion.split('.');
    const signedWithCertificateKey = verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      { key: createPublicKey(credential.certPem), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      Buffer.from(signature, 'base64url'),
    );
    expect(signedWithCertificateKey).toBe(true);
  });

  it('[SE-7.1] refuses an unsigned id_token (alg none)', async () => {
    await expect(signInWith((claims) => forger.signIdToken(claims, { alg: 'none' }))).rejects.toMatchObject({ reason: 'alg-refused' });
  });

  it("[SE-7.1] refuses an HS256 id_token keyed with the IdP's public key (algorithm confusion)", async () => {
    await expect(signInWith((claims) => forger.signIdToken(claims, { alg: 'HS256' }))).rejects.toMatchObject({ reason: 'alg-refused' });
  });

  it('[SE-7.1] refuses an id_token signed with a key the IdP does not publish', async () => {
    await expect(signInWith((claims) => forger.signIdToken(claims, { withUnpublishedKey: true }))).rejects.toMatchObject({
      reason: 'signature-invalid',
    });
  });

  it('[SE-7.1] refuses an id_token from another issuer', async () => {
    const otherTenantIssuer = `https://login.microsoftonline.com/${randomUUID()}/v2.0`;
    await expect(signInWith((claims) => forger.signIdToken({ ...claims, iss: otherTenantIssuer }))).rejects.toMatchObject({
      reason: 'issuer-mismatch',
    });
  });

  it("[SE-7.1] refuses a discovery document that names another issuer, Entra's {tenantid} template included", async () => {
    for (const issuer of ['https://login.microsoftonline.com/{tenantid}/v2.0', `${forger.issuer}/`, forger.issuer.replace('/v2.0', '')]) {
      forger.metadataOverrides = { issuer };
      await expect(relyingParty().beginLogin(), issuer).rejects.toMatchObject({ reason: 'issuer-mismatch' });
    }
    forger.metadataOverrides = {};
    await expect(relyingParty().beginLogin()).resolves.toHaveProperty('url');
  });

  it('[SE-7.1] refuses an id_token without a tid or with another tenant id', async () => {
    await expect(signInWith((claims) => forger.signIdToken({ ...claims, tid: undefined }))).rejects.toMatchObject({ reason: 'tenant-mismatch' });
    await expect(signInWith((claims) => forger.signIdToken({ ...claims, tid: randomUUID() }))).rejects.toMatchObject({
      reason: 'tenant-mismatch',
    });
  });

  it('[SE-7.1] refuses an id_token for another audience', async () => {
    await expect(signInWith((claims) => forger.signIdToken({ ...claims, aud: randomUUID() }))).rejects.toMatchObject({
      reason: 'audience-mismatch',
    });
    await expect(signInWith((claims) => forger.signIdToken({ ...claims, aud: [clientId, randomUUID()] }))).rejects.toMatchObject({
      reason: 'audience-mismatch',
    });
  });

  it('[SE-7.1] refuses an expired id_token', async () => {
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    await expect(
      signInWith((claims) => forger.signIdToken({ ...claims, iat: hourAgo - 300, nbf: hourAgo - 300, exp: hourAgo })),
    ).rejects.toMatchObject({ reason: 'expired' });
  });

  it('[SV-4] maps the minimal attribute set: given name, surname, e-mail and department', async () => {
    const identity = await signInWith((claims) =>
      forger.signIdToken({ ...claims, given_name: 'Fatima', family_name: 'el Amrani', email: 'f.elamrani@gemeente.example', department: 'Sociaal Domein' }),
    );
    expect(identity).toMatchObject({ givenName: 'Fatima', surname: 'el Amrani', email: 'f.elamrani@gemeente.example', department: 'Sociaal Domein' });
  });

  it('[SV-4] leaves missing attributes undefined and takes preferred_username as e-mail only when it is a mailbox', async () => {
    const bare = await signInWith((claims) => forger.signIdToken(claims));
    expect(bare).toMatchObject({
      givenName: undefined,
      surname: undefined,
      email: undefined,
      displayName: undefined,
      department: undefined,
      deviceId: undefined,
      idpSessionId: undefined,
      groups: [],
      roles: [],
      groupsOverage: false,
    });
    const member = await signInWith((claims) => forger.signIdToken({ ...claims, preferred_username: 'p.devries@gemeente.example' }));
    expect(member.email).toBe('p.devries@gemeente.example');
    const guest = await signInWith((claims) =>
      forger.signIdToken({ ...claims, preferred_username: 'p_elders.example#EXT#@gemeente.onmicrosoft.com' }),
    );
    expect(guest.email).toBeUndefined();
    const overage = await signInWith((claims) => forger.signIdToken({ ...claims, _claim_names: { groups: 'src1' }, _claim_sources: {} }));
    expect(overage.groupsOverage).toBe(true);
  });

  it('[SE-7.1] caches discovery and refreshes it on schedule; a failed refresh keeps the last good metadata', async () => {
    let now = 0;
    const refreshFailures: OidcError[] = [];
    const rp = relyingParty({
      now: () => now,
      discoveryRefreshMs: 1_000,
      discoveryRetryMs: 500,
      onDiscoveryRefreshFailed: (error) => refreshFailures.push(error),
    });
    const requestsBefore = forger.received.discoveryRequests;
    const discoveries = () => forger.received.discoveryRequests - requestsBefore;

    await rp.beginLogin();
    now = 999;
    await rp.beginLogin();
    expect(discoveries()).toBe(1);

    now = 1_000;
    forger.metadataOverrides = { issuer: 'https://login.microsoftonline.com/common/v2.0' };
    const duringFailure = await rp.beginLogin();
    expect(discoveries()).toBe(2);
    expect(refreshFailures.map((error) => error.reason)).toEqual(['issuer-mismatch']);
    expect(duringFailure.url.pathname).toBe(`/${forger.tenantId}/oauth2/v2.0/authorize`);
    now = 1_499;
    await rp.beginLogin();
    expect(discoveries()).toBe(2);

    now = 1_500;
    forger.metadataOverrides = { authorization_endpoint: `${new URL(forger.issuer).origin}/${forger.tenantId}/oauth2/v2.0/authorize-moved` };
    const afterRefresh = await rp.beginLogin();
    expect(discoveries()).toBe(3);
    expect(afterRefresh.url.pathname).toBe(`/${forger.tenantId}/oauth2/v2.0/authorize-moved`);
  });

  it('[SE-7.1] does not follow a redirect from the IdP, not even one to the cloud metadata service', async () => {
    forger.discoveryRedirect = 'https://169.254.169.254/latest/meta-data/iam/security-credentials/';
    await expect(relyingParty().beginLogin()).rejects.toMatchObject({ reason: 'ssrf-refused' });
  });

  it('[SE-7.1] reports a missing discovery document as discovery-failed', async () => {
    const tenantWithoutDocument = randomUUID();
    const issuer = `${new URL(forger.issuer).origin}/${tenantWithoutDocument}/v2.0`;
    const rp = new OidcRelyingParty(connectionTo(issuer, tenantWithoutDocument, clientId), { outbound: { trustedCaPem: forger.caPem } });
    await expect(rp.beginLogin()).rejects.toMatchObject({ reason: 'discovery-failed' });
  });

  it('[SE-7.1] refuses discovery at loopback, private, link-local and IPv6 loopback addresses without allowPrivateNetwork', async () => {
    const tenantId = forger.tenantId;
    const requestsBefore = forger.received.discoveryRequests;
    const hostsAndResolutions: [host: string, addresses: readonly string[]][] = [
      [new URL(forger.issuer).host, []],
      ['10.0.0.1', []],
      ['169.254.169.254', []],
      ['[::1]', []],
      ['[::ffff:7f00:1]', []],
      ['idp.gemeente.example', ['10.1.2.3']],
      ['login.gemeente.example', ['20.190.128.1', '169.254.169.254']],
      ['localhost', ['127.0.0.1', '::1']],
    ];
    for (const [host, addresses] of hostsAndResolutions) {
      const resolved: string[] = [];
      const rp = new OidcRelyingParty(connectionTo(`https://${host}/${tenantId}/v2.0`, tenantId, clientId, { allowPrivateNetwork: false }), {
        outbound: {
          trustedCaPem: forger.caPem,
          resolveHost: async (hostname) => {
            resolved.push(hostname);
            return addresses;
          },
        },
      });
      await expect(rp.beginLogin(), host).rejects.toMatchObject({ reason: 'ssrf-refused' });
      expect(resolved, host).toEqual(addresses.length > 0 ? [host] : []);
    }
    expect(forger.received.discoveryRequests).toBe(requestsBefore);
  });
});

describe('The SSRF guard as openid-client customFetch', () => {
  let server: LoopbackHttpsServer;

  beforeAll(async () => {
    server = await startLoopbackHttpsServer();
  });

  afterAll(async () => {
    await server.close();
  });

  const get = { method: 'GET', headers: {}, body: undefined, redirect: 'manual' } as const;

  it('[SE-7.1] refuses a discovery URL on plain http, even where private networks are allowed', async () => {
    const guardedFetch = createGuardedFetch({ allowPrivateNetwork: true, trustedCaPem: server.caPem });
    const plain = new URL(server.origin);
    plain.protocol = 'http:';
    await expect(guardedFetch(`${plain.origin}/.well-known/openid-configuration`, get)).rejects.toMatchObject({ reason: 'ssrf-refused' });
    server.handle((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    await expect(guardedFetch(`${server.origin}/.well-known/openid-configuration`, get)).resolves.toHaveProperty('status', 200);
    expect(() => new OidcRelyingParty(connectionTo(`${plain.origin}/${randomUUID()}/v2.0`, randomUUID(), randomUUID()))).toThrow(OidcError);
  });

  it('[SE-7.1] refuses an IdP whose TLS certificate it does not trust: certificate checks are never switched off', async () => {
    server.handle((_request, response) => response.writeHead(200).end('{}'));
    const withoutTestCa = createGuardedFetch({ allowPrivateNetwork: true });
    await expect(withoutTestCa(`${server.origin}/`, get)).rejects.toMatchObject({ reason: 'idp-unreachable' });
  });

  it('[SE-7.1] bounds IdP responses in size and time', async () => {
    const guardedFetch = createGuardedFetch({ allowPrivateNetwork: true, trustedCaPem: server.caPem, maxResponseBytes: 64 * 1024, timeoutMs: 300 });
    server.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write(Buffer.alloc(48 * 1024, 0x20));
      response.end(Buffer.alloc(48 * 1024, 0x20));
    });
    await expect(guardedFetch(`${server.origin}/jwks`, get)).rejects.toMatchObject({ reason: 'response-too-large' });
    server.handle((_request, response) => response.writeHead(200, { 'content-length': String(1024 * 1024) }).end());
    await expect(guardedFetch(`${server.origin}/jwks`, get)).rejects.toMatchObject({ reason: 'response-too-large' });
    server.handle(() => undefined);
    const started = Date.now();
    await expect(guardedFetch(`${server.origin}/slow`, get)).rejects.toMatchObject({ reason: 'idp-unreachable' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('OIDC connection settings', () => {
  const tenantId = randomUUID();
  const entraIssuer = `https://login.microsoftonline.com/${tenantId}/v2.0`;

  function reasonFor(connection: OidcConnection): string | undefined {
    try {
      new OidcRelyingParty(connection);
      return undefined;
    } catch (error) {
      return error instanceof OidcError ? error.reason : String(error);
    }
  }

  it("[SE-7.1] accepts only the tenant's own v2.0 issuer, never the multi-tenant forms", () => {
    expect(reasonFor(connectionTo(entraIssuer, tenantId, randomUUID(), { allowPrivateNetwork: false }))).toBeUndefined();
    for (const issuer of [
      'https://login.microsoftonline.com/common/v2.0',
      'https://login.microsoftonline.com/organizations/v2.0',
      'https://login.microsoftonline.com/{tenantid}/v2.0',
      `https://login.microsoftonline.com/${randomUUID()}/v2.0`,
      `${entraIssuer}/`,
      `https://sts.windows.net/${tenantId}/`,
      `https://LOGIN.microsoftonline.com/${tenantId}/v2.0`,
    ]) {
      expect(reasonFor(connectionTo(issuer, tenantId, randomUUID())), issuer).toBe('configuration-invalid');
    }
    expect(reasonFor(connectionTo(entraIssuer, tenantId.toUpperCase(), randomUUID()))).toBe('configuration-invalid');
  });

  it('[SE-7.1] refuses a certificate credential that is not an RSA key pair Entra would accept', async () => {
    const ecCredential = await issueCertificate({ subject: 'CN=EC credential' });
    const otherRsa = await issueCertificate({ subject: 'CN=Other RSA credential', key: 'rsa-2048' });
    const expired = await issueCertificate({
      subject: 'CN=Expired credential',
      key: 'rsa-2048',
      notBefore: new Date(Date.now() - 2 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const withAuth = (privateKeyPem: string, certificatePem: string) =>
      connectionTo(entraIssuer, tenantId, randomUUID(), { clientAuth: { method: 'private_key_jwt', privateKeyPem, certificatePem } });

    expect(reasonFor(withAuth(credential.keyPem, credential.certPem))).toBeUndefined();
    expect(reasonFor(withAuth(ecCredential.keyPem, ecCredential.certPem))).toBe('configuration-invalid');
    expect(reasonFor(withAuth(credential.keyPem, otherRsa.certPem))).toBe('configuration-invalid');
    expect(reasonFor(withAuth(expired.keyPem, expired.certPem))).toBe('configuration-invalid');
  });
});
