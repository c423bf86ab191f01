import { formatInteger, formatPercent, formatRatio, renderColumns, SATURATED_CORES } from '../shared/report-format.js';
import type { AuthenticatedRequestMeasurements, EndpointMeasurement } from './authenticated-requests.js';
import type { OperationTiming } from './protocol.js';
import type { SignInMeasurements } from './sign-ins.js';

export function renderSaml({ saml }: SignInMeasurements): string {
  const header = ['measurement', 'per s', 'p50 ms', 'p99 ms', 'CPU ms each'];
  return [
    `1. SAML assertion validation: ${formatInteger(saml.validations.operations)} Entra-style responses, one at a time ` +
      `(${formatInteger(saml.responseBytes)} B base64 as POSTed; signed Assertion ${formatInteger(saml.assertionBytes)} B, RSA-2048)`,
    renderColumns(
      header,
      [
        timingRow('SamlServiceProvider.validatePostResponse', saml.validations),
        timingRow('baseline: RSA-SHA256 verify of the same assertion bytes (node:crypto)', saml.signatureVerifications),
      ],
      1,
    ),
    ratioLine('validations/s', saml.validations, saml.signatureVerifications),
  ].join('\n');
}

export function renderOidc({ oidc }: SignInMeasurements, batches: { readonly batchLogins: number; readonly concurrency: number }): string {
  const header = ['measurement', 'per s', 'p50 ms', 'p99 ms', 'CPU ms each'];
  const logins = oidc.logins.operations;
  return [
    `2. OIDC code exchange + id_token validation: ${formatInteger(logins)} sign-ins in batches of ${batches.batchLogins}, ` +
      `${batches.concurrency} completeLogin calls at a time (id_token ${formatInteger(oidc.idTokenBytes)} B, RS256)`,
    renderColumns(
      header,
      [
        timingRow('OidcRelyingParty.completeLogin (logins)', oidc.logins),
        timingRow('baseline: jose jwtVerify of an obtained id_token, IdP key', oidc.idTokenVerifications),
      ],
      1,
    ),
    ratioLine('logins/s', oidc.logins, oidc.idTokenVerifications),
    `   CPU per login: relying party ${milliseconds((oidc.logins.cpuSeconds * 1000) / logins)} ms, ` +
      `development IdP ${milliseconds((oidc.idpCpuSeconds * 1000) / logins)} ms ` +
      `(relying party at ${formatPercent(oidc.logins.cpuSeconds / oidc.logins.wallSeconds)} of its core, ` +
      `IdP at ${formatPercent(oidc.idpCpuSeconds / oidc.logins.wallSeconds)} of its core)`,
    '   note: the IdP\'s token endpoint is in the measured path: oidc-provider in the kit\'s development IdP, on this machine\'s other core. ' +
      'Each completeLogin is one token request over a new TLS connection with a private_key_jwt (PS256) client assertion, ' +
      'the IdP signing an RS256 id_token, and the relying party checking it; the baseline is only that last signature check.',
  ].join('\n');
}

export function renderRequests(requests: AuthenticatedRequestMeasurements, plan: { readonly connections: number; readonly warmUpSeconds: number; readonly measureSeconds: number }): string {
  const { unauthenticated, authenticated } = requests;
  const header = ['endpoint', 'req/s', 'p50 ms', 'p99 ms', 'errors/non-2xx', 'server CPU', 'server µs/req', 'PostgreSQL CPU', 'PostgreSQL µs/req', 'other CPU'];
  const rows = [requestRow('GET /health/live, no session', unauthenticated), requestRow('GET /api/session, __Host-session cookie', authenticated)];
  const notes = [unauthenticated, authenticated].flatMap((measurement) => {
    const note = waitNote(measurement);
    return note ? [`   note (GET ${new URL(measurement.url).pathname}): ${note}`] : [];
  });
  return [
    `3. Authenticated requests: one kit server (startApi), ${plan.connections} keep-alive connections over ${requests.tls}, ` +
      `${plan.warmUpSeconds} s warm-up + ${plan.measureSeconds} s per endpoint`,
    renderColumns(header, rows, 1),
    `   authenticated / unauthenticated: ${formatRatio(authenticated.requestsPerSecond / unauthenticated.requestsPerSecond)} req/s`,
    '   note: each authenticated request makes two SQL round trips: the session lookup, one UPDATE sessions … RETURNING that also ' +
      'records the use (last_seen_at), and the user lookup of /api/session (SELECT … FROM users); GET /health/live makes none. ' +
      `All ${plan.connections} connections present the same session, so the UPDATEs of its row wait for each other.`,
    '   CPU columns are shares of one core: PostgreSQL is the backends serving the kit\'s pool (not pinned, so it takes time from both cores); ' +
      `other is every remaining process (autocannon excluded: ${formatPercent(unauthenticated.loadGeneratorCores)} and ` +
      `${formatPercent(authenticated.loadGeneratorCores)} of its core), e.g. PostgreSQL's WAL writer or other work on the machine`,
    ...notes,
    `   database: ${requests.database}`,
  ].join('\n');
}

function timingRow(label: string, timing: OperationTiming): string[] {
  return [
    label,
    formatInteger(timing.operations / timing.wallSeconds),
    milliseconds(timing.latencyP50Ms),
    milliseconds(timing.latencyP99Ms),
    milliseconds((timing.cpuSeconds * 1000) / timing.operations),
  ];
}

function ratioLine(unit: string, kit: OperationTiming, baseline: OperationTiming): string {
  const kitRate = kit.operations / kit.wallSeconds;
  const baselineRate = baseline.operations / baseline.wallSeconds;
  return `   kit / baseline: ${(kitRate / baselineRate).toPrecision(2)}× ${unit} (the baseline does ${formatInteger(baselineRate / kitRate)} in the time of one)`;
}

function requestRow(label: string, measurement: EndpointMeasurement): string[] {
  const { load, postgresCores } = measurement;
  const perRequestMicros = (cores: number) => ((cores * 1e6) / measurement.requestsPerSecond).toFixed(1);
  return [
    label,
    formatInteger(measurement.requestsPerSecond),
    milliseconds(load.latencyP50Ms),
    milliseconds(load.latencyP99Ms),
    `${load.errors}/${load.non2xx}`,
    formatPercent(measurement.serverCores),
    perRequestMicros(measurement.serverCores),
    postgresCores === undefined ? 'not on this machine' : formatPercent(postgresCores),
    postgresCores === undefined ? '-' : perRequestMicros(postgresCores),
    formatPercent(Math.max(0, measurement.restOfMachineCores - (postgresCores ?? 0))),
  ];
}

/** Why a server that is not at its core's limit is slower than it could be, as far as the figures tell. */
function waitNote(measurement: EndpointMeasurement): string | undefined {
  if (measurement.serverCores >= SATURATED_CORES) return undefined;
  if (measurement.loadGeneratorCores >= SATURATED_CORES) return 'autocannon used (nearly) its whole core: this req/s is the load generator\'s limit';
  const { postgresCores, restOfMachineCores } = measurement;
  const elsewhere =
    postgresCores === undefined
      ? `other processes, PostgreSQL among them, used ${formatPercent(restOfMachineCores)} of a core`
      : `PostgreSQL used ${formatPercent(postgresCores)} of a core, other processes ${formatPercent(Math.max(0, restOfMachineCores - postgresCores))}`;
  return `the server used ${formatPercent(measurement.serverCores)} of its core and autocannon was not the limit: it waited for the database or for CPU time (${elsewhere})`;
}

/** Enough decimals that a 20 µs floor and a 5 ms validation both show their digits that matter. */
function milliseconds(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toFixed(3);
}
