import { OidcRelyingParty, type LoginRequest } from '@veilig/identity';
import { decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose';
import { readForm, TestBrowser, type BrowserResponse } from '../../apps/dev-idp/src/testing/test-browser.js';
import type { OidcResult, OidcSettings } from './protocol.js';
import { forEachConcurrently, summariseRuns, timeOperations, timeRepeatedly, type TimedRun } from './timing.js';

interface PreparedLogin {
  readonly login: LoginRequest;
  /** Where the IdP sent the browser back: the callback URL with code, state and iss. */
  readonly callback: URL;
  readonly userObjectId: string;
}

/**
 * The relying party's side of OIDC sign-ins with the kit's `OidcRelyingParty`. The front channel
 * (beginLogin, authorize, user picker) runs untimed in `prepare`; `exchange` times only
 * `completeLogin`: the token request over TLS with its private_key_jwt assertion, and the
 * id_token checks. The two alternate in batches because the development IdP keeps its
 * authorization codes in oidc-provider's in-memory store, which holds about a thousand entries
 * and drops the oldest: codes prepared far ahead would be gone before they are redeemed.
 */
export class OidcLoginMeasurement {
  private readonly relyingParty: OidcRelyingParty;
  private readonly measuredRuns: TimedRun[] = [];
  private prepared: PreparedLogin[] = [];
  private loginsStarted = 0;
  private lastIdToken: string | undefined;

  constructor(private readonly settings: OidcSettings) {
    this.relyingParty = new OidcRelyingParty(
      {
        connectionId: 'bench-oidc',
        issuer: settings.issuer,
        expectedTenantId: settings.tenantId,
        clientId: settings.clientId,
        redirectUri: settings.redirectUri,
        postLogoutRedirectUri: settings.postLogoutRedirectUri,
        clientAuth: { method: 'private_key_jwt', privateKeyPem: settings.credential.privateKeyPem, certificatePem: settings.credential.certificatePem },
        // The development IdP listens on 127.0.0.1.
        allowPrivateNetwork: true,
      },
      { outbound: { trustedCaPem: settings.trustedCaPem } },
    );
  }

  /** Runs the browser's part of `logins` sign-ins, each in a browser of its own, up to the callback. */
  async prepare(logins: number, concurrency: number): Promise<void> {
    const users = Array.from({ length: logins }, () => this.settings.userObjectIds[this.loginsStarted++ % this.settings.userObjectIds.length]!);
    const prepared: PreparedLogin[] = [];
    await forEachConcurrently(users, concurrency, async (userObjectId) => {
      prepared.push(await this.frontChannel(userObjectId));
    });
    this.prepared = prepared;
  }

  /** Redeems every prepared callback with `completeLogin`, `concurrency` at a time. */
  async exchange(concurrency: number, measured: boolean): Promise<void> {
    const run = await timeOperations(this.prepared, concurrency, async ({ login, callback, userObjectId }) => {
      const identity = await this.relyingParty.completeLogin(callback, login);
      if (identity.entraObjectId !== userObjectId) throw new Error(`OIDC: signed in ${identity.entraObjectId}, expected ${userObjectId}`);
      this.lastIdToken = identity.idToken;
    });
    this.prepared = [];
    if (measured) this.measuredRuns.push(run);
  }

  /** Sums the measured exchanges and times the floor: jose's jwtVerify of one obtained id_token with the IdP's key. */
  async finish(baselineSeconds: number): Promise<OidcResult> {
    const idToken = this.lastIdToken;
    if (idToken === undefined) throw new Error('OIDC: no sign-in was completed');
    const key = await this.idTokenSigningKey(idToken);
    const verifyIdToken = (token: string) =>
      jwtVerify(token, key, { issuer: this.settings.issuer, audience: this.settings.clientId, algorithms: ['RS256'] });
    // One untimed verification first, as the logins had their warm-up.
    await timeRepeatedly([idToken], 0, verifyIdToken);
    return {
      logins: summariseRuns(this.measuredRuns),
      idTokenVerifications: summariseRuns([await timeRepeatedly([idToken], baselineSeconds, verifyIdToken)]),
      idTokenBytes: Buffer.byteLength(idToken),
    };
  }

  private async frontChannel(userObjectId: string): Promise<PreparedLogin> {
    const login = await this.relyingParty.beginLogin();
    const browser = new TestBrowser(this.settings.trustedCaPem);
    const authorization = expectStatus(await browser.get(login.url), 303, 'the authorization request');
    const pickerUrl = authorization.location();
    const picker = expectStatus(await browser.get(pickerUrl), 200, 'the user picker');
    const form = readForm(picker.body);
    const picked = expectStatus(await browser.postForm(new URL(form.action, pickerUrl), { ...form.hiddenFields, oid: userObjectId }), 303, 'picking a user');
    const resumed = expectStatus(await browser.get(picked.location()), 303, 'resuming the authorization');
    const callback = resumed.location();
    if (`${callback.origin}${callback.pathname}` !== this.settings.redirectUri) throw new Error(`OIDC: the IdP sent the browser to ${callback.href}`);
    return { login, callback, userObjectId };
  }

  /** The IdP's id_token key as a relying party finds it: discovery document, then its JWKS. */
  private async idTokenSigningKey(idToken: string) {
    const browser = new TestBrowser(this.settings.trustedCaPem);
    const discovery = expectStatus(await browser.get(`${this.settings.issuer}/.well-known/openid-configuration`), 200, 'the discovery document');
    const { jwks_uri: jwksUri } = JSON.parse(discovery.body) as { jwks_uri: string };
    const { keys } = JSON.parse(expectStatus(await browser.get(jwksUri), 200, 'the JWKS').body) as { keys: JWK[] };
    const { kid } = decodeProtectedHeader(idToken);
    const jwk = keys.find((candidate) => candidate.kid === kid);
    if (!jwk) throw new Error(`OIDC: the IdP's JWKS has no key ${kid}`);
    return importJWK(jwk, 'RS256');
  }
}

function expectStatus(response: BrowserResponse, status: number, step: string): BrowserResponse {
  if (response.status !== status) throw new Error(`OIDC: ${step} answered ${response.status}, expected ${status}: ${response.body.slice(0, 300)}`);
  return response;
}
