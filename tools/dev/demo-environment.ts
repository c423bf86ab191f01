import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificateCredentialJwks, DEMO_DIRECTORIES, startDevIdp, type RunningDevIdp } from '@veilig/dev-idp';
import {
  LoggingIdentityEvents,
  PasswordHasher,
  PostgresLocalAccountStore,
  SsoAdministration,
  SsoConnectionRepository,
  TenantDirectory,
} from '@veilig/identity';
import type { AppConfig } from '@veilig/platform-config';
import { openAppDataSource } from '@veilig/platform-database';
import { issueCertificate } from '@veilig/platform-pki';
import type { Logger } from 'pino';
import { openOperatorDatabase, secretBoxFrom } from '../../apps/api/src/start-api.js';

/** The demo tenants, keyed to the development IdP's two directories and one tenant that signs in locally. */
export const DEMO_TENANTS = {
  saml: { slug: 'gemeente-voorbeeld', directory: DEMO_DIRECTORIES[0]!, domain: 'voorbeeld.gemeente.example' },
  oidc: { slug: 'gemeente-proef', directory: DEMO_DIRECTORIES[1]!, domain: 'proef.gemeente.example' },
  local: { slug: 'stichting-demo', name: 'Stichting Demo', email: 'demo@stichting-demo.example', password: 'demo wachtwoord voor veilig' },
} as const;

const CONNECTION_NAME = 'dev-idp';

export interface DemoEnvironment {
  readonly devIdp: RunningDevIdp;
  readonly lines: string[];
  close(): Promise<void>;
}

/**
 * The development IdP and the demo tenants wired to it, for `npm start` and end-to-end tests.
 * Applied idempotently at every start: tenants and the local demo user are created once; the
 * connections to the development IdP are made anew, because its signing key is new every start.
 */
export async function startDemoEnvironment(config: AppConfig, logger: Logger, devIdpPort: number): Promise<DemoEnvironment> {
  if (config.production) throw new Error('the demo environment never runs in production');
  const tls = {
    certPem: readFileSync(join(config.dataDir, 'tls', 'development-cert.pem'), 'utf8'),
    keyPem: readFileSync(join(config.dataDir, 'tls', 'development-key.pem'), 'utf8'),
  };
  const origin = config.http.publicOrigin;
  const samlConnection = { id: randomUUID(), credential: await issueCertificate({ subject: 'CN=Veilig demo SAML', key: 'rsa-2048' }) };
  const oidcConnection = { id: randomUUID(), credential: await issueCertificate({ subject: 'CN=Veilig demo OIDC', key: 'rsa-2048' }) };
  const samlBase = new URL(`/sso/saml/${samlConnection.id}/`, origin);

  const devIdp = await startDevIdp({
    host: 'localhost',
    port: devIdpPort,
    tls,
    production: false,
    directories: DEMO_DIRECTORIES,
    oidcClients: [
      {
        tenantId: DEMO_TENANTS.oidc.directory.tenantId,
        clientId: 'veilig-demo',
        redirectUris: [new URL(`/sso/oidc/${oidcConnection.id}/callback`, origin).toString()],
        postLogoutRedirectUris: [new URL('/', origin).toString()],
        jwks: certificateCredentialJwks(oidcConnection.credential.certPem),
      },
    ],
    samlServiceProviders: [
      {
        tenantId: DEMO_TENANTS.saml.directory.tenantId,
        entityId: new URL('metadata', samlBase).toString(),
        acsUrl: new URL('acs', samlBase).toString(),
        sloUrl: new URL('slo', samlBase).toString(),
        signingCertPem: samlConnection.credential.certPem,
      },
    ],
  });

  const database = await openOperatorDatabase(config, logger);
  const dataSource = await openAppDataSource({ url: database.appUrl, poolSize: 2 });
  try {
    const tenants = new TenantDirectory(dataSource);
    const administration = new SsoAdministration(
      tenants,
      new SsoConnectionRepository(dataSource, secretBoxFrom(config)),
      new LoggingIdentityEvents(logger.child({ component: 'demo' })),
      { actor: { operator: 'npm start (demo)' }, production: false, allowPrivateNetwork: true, outbound: { trustedCaPem: tls.certPem } },
    );
    for (const demo of [DEMO_TENANTS.saml, DEMO_TENANTS.oidc]) {
      if (!(await tenants.findBySlug(demo.slug))) {
        await administration.addTenant({ slug: demo.slug, name: demo.directory.name, authMode: 'federated', emailDomains: [demo.domain] });
      }
      if ((await administration.listConnections(demo.slug)).some((connection) => connection.name === CONNECTION_NAME)) {
        await administration.removeConnection(demo.slug, CONNECTION_NAME);
      }
    }
    await administration.addSamlConnection(
      DEMO_TENANTS.saml.slug,
      CONNECTION_NAME,
      { metadataUrl: devIdp.samlMetadataUrl(DEMO_TENANTS.saml.directory.tenantId) },
      samlConnection,
    );
    await administration.addOidcConnection(
      DEMO_TENANTS.oidc.slug,
      CONNECTION_NAME,
      {
        issuer: devIdp.oidcIssuer(DEMO_TENANTS.oidc.directory.tenantId),
        expectedTenantId: DEMO_TENANTS.oidc.directory.tenantId,
        clientId: 'veilig-demo',
        allowPrivateNetwork: true,
        trustedCaPem: tls.certPem,
      },
      oidcConnection,
    );
    if (!(await tenants.findBySlug(DEMO_TENANTS.local.slug))) {
      const local = await administration.addTenant({ slug: DEMO_TENANTS.local.slug, name: DEMO_TENANTS.local.name, authMode: 'local-2fa' });
      await new PostgresLocalAccountStore(dataSource).createAccount(local.id, DEMO_TENANTS.local.email, await new PasswordHasher().hash(DEMO_TENANTS.local.password));
    }
  } catch (error) {
    await devIdp.close();
    throw error;
  } finally {
    await dataSource.destroy();
    await database.close();
  }

  return {
    devIdp,
    lines: [
      `development IdP (not for production) at ${devIdp.origin}`,
      `sign in at ${new URL('/login', origin)} as organisation:`,
      `  ${DEMO_TENANTS.saml.slug}  (SAML 2.0 through the development IdP)`,
      `  ${DEMO_TENANTS.oidc.slug}  (OpenID Connect through the development IdP)`,
      `  ${DEMO_TENANTS.local.slug}  (password + authenticator app: ${DEMO_TENANTS.local.email} / "${DEMO_TENANTS.local.password}" the first time,`,
      "    then choose your own password and link an authenticator app)",
    ],
    close: () => devIdp.close(),
  };
}
