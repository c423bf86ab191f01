import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CertificateFiles } from '@veilig/platform-http';
import { issueCertificate } from '@veilig/platform-pki';
// Not the package index: that loads oidc-provider, which only the IdP's own process needs (and which warns when loaded).
import { DEMO_DIRECTORIES } from '../../apps/dev-idp/src/demo-directories.js';
import { BenchChild } from '../shared/child-process.js';
import { withServerProcess, type ServerProcess } from '../shared/load-measurement.js';
import { COUNTERPART_CPU, KIT_CPU } from './placement.js';
import type { DevIdpSettings, FromIdentityWorker, OidcResult, SamlPlan, SamlResult, ToIdentityWorker } from './protocol.js';

const SAML_PLAN: SamlPlan = { warmUpValidations: 100, measuredValidations: 1000, baselineSeconds: 2 };

/** Small enough that every code of a batch is still in the IdP's in-memory store when it is redeemed (see OidcLoginMeasurement). */
export const OIDC_BATCH_LOGINS = 50;
const OIDC_MEASURED_BATCHES = 20;
/** Callbacks of different users arriving together, as at the start of a working day: keeps both the relying party and the IdP busy. */
export const OIDC_EXCHANGE_CONCURRENCY = 8;
const OIDC_WARM_UP_BATCHES = 1;
const OIDC_FRONT_CHANNEL_CONCURRENCY = 4;
const OIDC_BASELINE_SECONDS = 2;
const OIDC_PROGRESS_EVERY_BATCHES = 5;

const SAML_TIMEOUT_MS = 300_000;
const OIDC_STEP_TIMEOUT_MS = 120_000;
const QUICK_REPLY_TIMEOUT_MS = 5_000;

const REDIRECT_URI = 'https://gemeente-voorbeeld.veilig.example/auth/oidc/callback';
const POST_LOGOUT_REDIRECT_URI = 'https://gemeente-voorbeeld.veilig.example/signed-out';

export interface SignInMeasurements {
  readonly saml: SamlResult;
  readonly oidc: OidcResult & {
    /** CPU time the development IdP used while the measured completeLogin calls ran. */
    readonly idpCpuSeconds: number;
  };
}

type IdentityWorker = BenchChild<FromIdentityWorker, ToIdentityWorker>;

/** Parts 1 and 2: SAML validation and OIDC code exchange, each against its local cryptographic floor. */
export async function measureSignIns(options: {
  readonly certificate: CertificateFiles;
  readonly progress: (message: string) => void;
  readonly signal: AbortSignal;
}): Promise<SignInMeasurements> {
  const worker: IdentityWorker = new BenchChild('identity worker', new URL('./identity-worker.ts', import.meta.url), KIT_CPU, options.signal);
  try {
    const { result: saml } = await worker.request({ type: 'saml', plan: SAML_PLAN }, 'saml-measured', SAML_TIMEOUT_MS);
    options.progress(`SAML: ${Math.round(saml.validations.operations / saml.validations.wallSeconds)} validations/s`);
    options.signal.throwIfAborted();
    return { saml, oidc: await measureOidc(worker, options) };
  } finally {
    await worker.stop({ type: 'stop' });
  }
}

async function measureOidc(
  worker: IdentityWorker,
  options: { readonly certificate: CertificateFiles; readonly progress: (message: string) => void; readonly signal: AbortSignal },
): Promise<SignInMeasurements['oidc']> {
  const say = options.progress;
  const directory = DEMO_DIRECTORIES[0]!;
  const credential = await issueCertificate({ subject: 'CN=Veilig relying party, O=Veilig bench', key: 'rsa-2048' });
  const settings: DevIdpSettings = {
    certFile: options.certificate.certFile,
    keyFile: options.certificate.keyFile,
    tenantId: directory.tenantId,
    clientId: randomUUID(),
    redirectUri: REDIRECT_URI,
    postLogoutRedirectUri: POST_LOGOUT_REDIRECT_URI,
    credentialCertificatePem: credential.certPem,
  };
  say(`OIDC: starting the development IdP (${directory.name}) on CPU ${COUNTERPART_CPU}`);
  const idpOptions = { name: 'development IdP', script: new URL('./dev-idp-server.ts', import.meta.url), cpu: COUNTERPART_CPU, settings, signal: options.signal };
  return withServerProcess(idpOptions, async (idp) => {
    // The development IdP serves each tenant at Entra's v2.0 issuer path.
    const issuer = `${idp.origin}/${directory.tenantId}/v2.0`;
    say(`OIDC: issuer ${issuer}; relying party on CPU ${KIT_CPU}`);
    await worker.request(
      {
        type: 'oidc-connect',
        settings: {
          issuer,
          tenantId: directory.tenantId,
          clientId: settings.clientId,
          redirectUri: REDIRECT_URI,
          postLogoutRedirectUri: POST_LOGOUT_REDIRECT_URI,
          credential: { certificatePem: credential.certPem, privateKeyPem: credential.keyPem },
          trustedCaPem: readFileSync(options.certificate.certFile, 'utf8'),
          userObjectIds: directory.users.map((user) => user.oid),
        },
      },
      'oidc-connected',
      QUICK_REPLY_TIMEOUT_MS,
    );

    say(`OIDC: warming up (discovery, JWKS) with ${OIDC_WARM_UP_BATCHES * OIDC_BATCH_LOGINS} sign-ins`);
    for (let batch = 0; batch < OIDC_WARM_UP_BATCHES; batch++) await runBatch(worker, idp, false);
    say(
      `OIDC: ${OIDC_MEASURED_BATCHES} batches of ${OIDC_BATCH_LOGINS} sign-ins: user picker untimed, ` +
        `then completeLogin timed, ${OIDC_EXCHANGE_CONCURRENCY} at a time`,
    );
    let idpCpuMicros = 0;
    for (let batch = 1; batch <= OIDC_MEASURED_BATCHES; batch++) {
      options.signal.throwIfAborted();
      idpCpuMicros += await runBatch(worker, idp, true);
      if (batch % OIDC_PROGRESS_EVERY_BATCHES === 0) say(`OIDC: ${batch * OIDC_BATCH_LOGINS} sign-ins completed`);
    }
    say(`OIDC: timing jose jwtVerify of an obtained id_token for ${OIDC_BASELINE_SECONDS} s`);
    const { result } = await worker.request({ type: 'oidc-finish', baselineSeconds: OIDC_BASELINE_SECONDS }, 'oidc-measured', OIDC_STEP_TIMEOUT_MS);
    return { ...result, idpCpuSeconds: idpCpuMicros / 1e6 };
  });
}

/** One batch: the front channel untimed, then the exchanges; returns the IdP's CPU time during the exchanges, µs. */
async function runBatch(worker: IdentityWorker, idp: ServerProcess<DevIdpSettings>, measured: boolean): Promise<number> {
  await worker.request(
    { type: 'oidc-prepare', logins: OIDC_BATCH_LOGINS, concurrency: OIDC_FRONT_CHANNEL_CONCURRENCY },
    'oidc-prepared',
    OIDC_STEP_TIMEOUT_MS,
  );
  const before = await idp.child.request({ type: 'cpu' }, 'cpu', QUICK_REPLY_TIMEOUT_MS);
  await worker.request({ type: 'oidc-exchange', concurrency: OIDC_EXCHANGE_CONCURRENCY, measured }, 'oidc-exchanged', OIDC_STEP_TIMEOUT_MS);
  const after = await idp.child.request({ type: 'cpu' }, 'cpu', QUICK_REPLY_TIMEOUT_MS);
  return after.usage.user - before.usage.user + (after.usage.system - before.usage.system);
}
