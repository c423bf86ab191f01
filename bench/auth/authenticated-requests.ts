import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PostgresSessionStore, SESSION_COOKIE, TenantDirectory, UserDirectory } from '@veilig/identity';
import { openAppDataSource } from '@veilig/platform-database';
import type { CertificateFiles } from '@veilig/platform-http';
import { createBenchDatabase } from '../shared/database.js';
import { measureLoad, probe, withLoadGenerator, withServerProcess, type LoadMeasurement } from '../shared/load-measurement.js';
import type { ServerSettings } from '../shared/protocol.js';
import { COUNTERPART_CPU, KIT_CPU } from './placement.js';
import { startPostgresCpuMeter, type PostgresCpuMeter } from './postgres-cpu.js';

export const CONNECTIONS = 50;
export const WARM_UP_SECONDS = 2;

const UNAUTHENTICATED_PATH = '/health/live';
const AUTHENTICATED_PATH = '/api/session';

export interface EndpointMeasurement extends LoadMeasurement {
  /** CPU of the PostgreSQL backends serving the kit's pool, as a share of one core; undefined when PostgreSQL runs elsewhere. */
  readonly postgresCores: number | undefined;
}

export interface AuthenticatedRequestMeasurements {
  readonly unauthenticated: EndpointMeasurement;
  readonly authenticated: EndpointMeasurement;
  /** Protocol and cipher the probe negotiated. */
  readonly tls: string;
  readonly database: string;
}

interface SignedInUser {
  readonly userId: string;
  readonly sessionToken: string;
}

/**
 * Part 3: the kit's server under load with a signed-in user's session cookie, against its own
 * cheapest public endpoint on the same server in the same run. The user and session are written
 * straight into the database, as a completed sign-in would leave them.
 */
export async function measureAuthenticatedRequests(options: {
  readonly workDir: string;
  readonly dataDir: string;
  readonly certificate: CertificateFiles;
  readonly measureSeconds: number;
  readonly progress: (message: string) => void;
  readonly signal: AbortSignal;
}): Promise<AuthenticatedRequestMeasurements> {
  const say = options.progress;
  say('requests: preparing a database for the kit');
  const database = await createBenchDatabase();
  try {
    say(`requests: ${database.description}`);
    options.signal.throwIfAborted();
    const settings: ServerSettings = {
      certFile: options.certificate.certFile,
      keyFile: options.certificate.keyFile,
      logFile: join(options.workDir, 'veilig-api.log'),
      veiligEnv: {
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        HTTPS_PORT: '0',
        HTTP_PORT: '0',
        DATA_DIR: options.dataDir,
        DATABASE_URL: database.migrationUrl,
        DATABASE_APP_ROLE: database.appRole,
        LOG_LEVEL: 'info',
      },
    };
    say(`requests: starting the kit (startApi) on CPU ${KIT_CPU}`);
    const serverOptions = { name: 'kit server', script: new URL('../shared/veilig-api-server.ts', import.meta.url), cpu: KIT_CPU, settings, signal: options.signal };
    return await withServerProcess(serverOptions, async (server) => {
      const signedIn = await signInDirectly(database.migrationUrl);
      const cookie = `__Host-${SESSION_COOKIE}=${signedIn.sessionToken}`;
      const certificatePem = readFileSync(options.certificate.certFile, 'utf8');
      const unauthenticatedUrl = new URL(UNAUTHENTICATED_PATH, server.origin).toString();
      const authenticatedUrl = new URL(AUTHENTICATED_PATH, server.origin).toString();
      const tls = await checkPublicEndpoint(unauthenticatedUrl, certificatePem);
      await checkSession(authenticatedUrl, certificatePem, cookie, signedIn.userId);
      say(`requests: GET ${UNAUTHENTICATED_PATH} answers 200 and GET ${AUTHENTICATED_PATH} with the session cookie answers 200 for user ${signedIn.userId}, over ${tls}`);

      const loadOptions = { name: 'autocannon', cpu: COUNTERPART_CPU, signal: options.signal };
      return withLoadGenerator(loadOptions, async (loadGenerator) => {
        const plan = { connections: CONNECTIONS, warmUpSeconds: WARM_UP_SECONDS, measureSeconds: options.measureSeconds, progress: say };
        const measureEndpoint = async (url: string, label: string, headers: Readonly<Record<string, string>>): Promise<EndpointMeasurement> => {
          let postgres: PostgresCpuMeter | undefined;
          // After the warm-up, when the kit's pool has opened the connections this load needs.
          const beforeMeasuring = async () => {
            postgres = await startPostgresCpuMeter(database.migrationUrl);
          };
          const measurement = await measureLoad(server, loadGenerator, url, { ...plan, headers, label, beforeMeasuring });
          return { ...measurement, postgresCores: postgres && postgres.readMicros() / (measurement.load.durationSeconds * 1e6) };
        };
        const unauthenticated = await measureEndpoint(unauthenticatedUrl, `requests: GET ${UNAUTHENTICATED_PATH}`, {});
        options.signal.throwIfAborted();
        const authenticated = await measureEndpoint(authenticatedUrl, `requests: GET ${AUTHENTICATED_PATH} with a session`, { cookie });
        return { unauthenticated, authenticated, tls, database: database.description };
      });
    });
  } finally {
    await database.drop();
  }
}

/** A tenant, a federated user and a live session, as a completed sign-in leaves them (the pattern of test/identity/sessions.int.spec.ts). */
async function signInDirectly(migrationUrl: string): Promise<SignedInUser> {
  const owner = await openAppDataSource({ url: migrationUrl });
  try {
    const tenant = await new TenantDirectory(owner).create({ slug: 'gemeente-bench', name: 'Gemeente Bench', authMode: 'federated' });
    const entraObjectId = randomUUID();
    const user = await new UserDirectory(owner).provisionFederated(tenant.id, {
      protocol: 'oidc',
      subject: entraObjectId,
      entraObjectId,
      entraTenantId: randomUUID(),
      givenName: 'Fenna',
      surname: 'de Vries',
      email: 'fenna.devries@gemeente-bench.example',
      displayName: 'Fenna de Vries',
      department: 'Informatievoorziening',
      groups: [],
      roles: [],
      deviceId: undefined,
      idpSessionId: undefined,
    });
    const { token } = await new PostgresSessionStore(owner).create({
      userId: user.id,
      tenantId: tenant.id,
      authMethod: 'oidc',
      idpSessionId: undefined,
      clientIp: '127.0.0.1',
      userAgent: 'autocannon',
    });
    return { userId: user.id, sessionToken: token };
  } finally {
    await owner.destroy();
  }
}

async function checkPublicEndpoint(url: string, certificatePem: string): Promise<string> {
  const answer = await probe(url, certificatePem);
  if (answer.statusCode !== 200) throw new Error(`GET ${url} answered ${answer.statusCode} ${answer.body.slice(0, 200)}, expected 200`);
  return answer.tls;
}

/** A 401 measured at full speed would look like a fast kit: the session must be accepted before the load starts. */
async function checkSession(url: string, certificatePem: string, cookie: string, userId: string): Promise<void> {
  const answer = await probe(url, certificatePem, { cookie });
  const body = answer.statusCode === 200 ? (JSON.parse(answer.body) as { user?: { id?: string } }) : undefined;
  if (body?.user?.id !== userId) {
    throw new Error(`GET ${url} with the session cookie answered ${answer.statusCode} ${answer.body.slice(0, 200)}, expected 200 for user ${userId}`);
  }
}
