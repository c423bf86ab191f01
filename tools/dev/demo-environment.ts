import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificateCredentialJwks, DEMO_DIRECTORIES, startDevIdp, type RunningDevIdp } from '@veilig/dev-idp';
import { createAccessAdministration, type AccessAdministrator } from '@veilig/access';
import { AuditDestinationRepository, AuditWriter, SYSTEM_ACTOR_ID } from '@veilig/audit';
import {
  PasswordHasher,
  PostgresLocalAccountStore,
  SsoAdministration,
  SsoConnectionRepository,
  TenantDirectory,
  UserDirectory,
} from '@veilig/identity';
import type { AppConfig } from '@veilig/platform-config';
import { openAppDataSource } from '@veilig/platform-database';
import { issueCertificate } from '@veilig/platform-pki';
import type { Logger } from 'pino';
import { TenantContext, TenantScope } from '@veilig/tenancy';
import { APPLICATION_PERMISSIONS } from '../../apps/api/src/application-parts.js';
import { IdentityAuditEvents } from '../../apps/api/src/audit/identity-audit-events.js';
import { openOperatorDatabase, secretBoxFrom } from '../../apps/api/src/start-api.js';

/** The demo tenants, keyed to the development IdP's two directories and one tenant that signs in locally. */
export const DEMO_TENANTS = {
  saml: { slug: 'gemeente-voorbeeld', directory: DEMO_DIRECTORIES[0]!, domain: 'voorbeeld.gemeente.example' },
  oidc: { slug: 'gemeente-proef', directory: DEMO_DIRECTORIES[1]!, domain: 'proef.gemeente.example' },
  local: { slug: 'stichting-demo', name: 'Stichting Demo', email: 'demo@stichting-demo.example', password: 'demo wachtwoord voor veilig' },
} as const;

const CONNECTION_NAME = 'dev-idp';
const OPERATOR: AccessAdministrator = { kind: 'operator', operator: 'npm start (demo)' };

/**
 * What the demo directories' claims grant, as a municipality would map its Entra app roles and
 * groups: app roles `tenant-admin` and `auditor`, and department groups to member or viewer.
 */
const DEMO_ROLE_MAPPINGS = {
  saml: [
    { claim: 'roles', value: 'tenant-admin', roleName: 'tenant-admin' },
    { claim: 'roles', value: 'auditor', roleName: 'auditor' },
    { claim: 'groups', value: 'a3d5f7b9-1c2e-4f60-8a1b-2c3d4e5f6a01', roleName: 'viewer' },
    { claim: 'groups', value: 'a3d5f7b9-1c2e-4f60-8a1b-2c3d4e5f6a02', roleName: 'member' },
  ],
  oidc: [
    { claim: 'roles', value: 'tenant-admin', roleName: 'tenant-admin' },
    { claim: 'groups', value: 'e7f9a1b3-5c6d-4e80-9a2b-3c4d5e6f7a81', roleName: 'member' },
  ],
} as const;

/** A few cases per demo tenant, in the teams (departments) of the demo users, so a member sees theirs and a viewer sees all. */
const DEMO_CASES = [
  { title: 'Losliggende stoeptegel Dorpsstraat', category: 'openbare-ruimte', team: 'Burgerzaken', citizen: 'M. de Boer', bsn: '111222333' },
  { title: 'Aanvraag huishoudelijke hulp', category: 'wmo', team: 'Sociaal Domein', citizen: 'H. Visser', bsn: '123456782' },
  { title: 'Adreswijziging niet verwerkt', category: 'brp', team: 'Burgerzaken', citizen: 'L. Smit', bsn: null },
  { title: 'Storing zaaksysteem', category: 'ict', team: 'Informatievoorziening', citizen: 'intern', bsn: null },
] as const;

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
    const scope = new TenantScope(dataSource);
    const audit = new AuditWriter(scope);
    const users = new UserDirectory(dataSource);
    const access = createAccessAdministration({ scope, audit, people: users, permissions: APPLICATION_PERMISSIONS });
    const destinations = new AuditDestinationRepository(scope, secretBoxFrom(config));
    const administration = new SsoAdministration(
      tenants,
      new SsoConnectionRepository(dataSource, secretBoxFrom(config)),
      new IdentityAuditEvents(audit, users),
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
    for (const [demo, connection, mappings] of [
      [DEMO_TENANTS.saml, samlConnection, DEMO_ROLE_MAPPINGS.saml],
      [DEMO_TENANTS.oidc, oidcConnection, DEMO_ROLE_MAPPINGS.oidc],
    ] as const) {
      const tenant = (await tenants.findBySlug(demo.slug))!;
      await access.setMappings(OPERATOR, tenant.id, connection.id, mappings);
      await seedCases(scope, tenant.id);
      await ensureFileSink(destinations, tenant.id, demo.slug);
    }
    if (!(await tenants.findBySlug(DEMO_TENANTS.local.slug))) {
      const local = await administration.addTenant({ slug: DEMO_TENANTS.local.slug, name: DEMO_TENANTS.local.name, authMode: 'local-2fa' });
      const userId = await new PostgresLocalAccountStore(dataSource).createAccount(local.id, DEMO_TENANTS.local.email, await new PasswordHasher().hash(DEMO_TENANTS.local.password));
      for (const role of ['tenant-admin', 'auditor'] as const) await access.grant(OPERATOR, local.id, userId, role);
      await seedCases(scope, local.id);
      await ensureFileSink(destinations, local.id, DEMO_TENANTS.local.slug);
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
      `  ${DEMO_TENANTS.saml.slug}  (SAML 2.0 through the development IdP; Fenna: tenant admin + viewer, Jeroen: member, Sanne: auditor)`,
      `  ${DEMO_TENANTS.oidc.slug}  (OpenID Connect through the development IdP; Noor: tenant admin, Pieter: member)`,
      `  ${DEMO_TENANTS.local.slug}  (password + authenticator app: ${DEMO_TENANTS.local.email} / "${DEMO_TENANTS.local.password}" the first time,`,
      "    then choose your own password and link an authenticator app)",
      `each demo tenant's audit trail is forwarded, as to a SIEM, to ${join(config.audit.fileDirectory, '<organisation>.jsonl')}`,
    ],
    close: () => devIdp.close(),
  };
}

/** Seeds the demo cases once per tenant, as the system, under the tenant's row-level security like any other write. */
async function seedCases(scope: TenantScope, tenantId: string): Promise<void> {
  await TenantContext.run({ tenantId, actorId: SYSTEM_ACTOR_ID }, () =>
    scope.run(async () => {
      const [{ count }] = await scope.query<{ count: string }>('SELECT count(*) AS count FROM cases');
      if (Number(count) > 0) return;
      for (const demo of DEMO_CASES) {
        await scope.query(
          'INSERT INTO cases (title, category, team, citizen_name, citizen_bsn, description, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)',
          [demo.title, demo.category, demo.team, demo.citizen, demo.bsn, 'Voorbeeldmelding van npm start.', SYSTEM_ACTOR_ID],
        );
      }
    }),
  );
}

/** A JSON-lines audit destination per demo tenant, as a customer's SIEM would be: every event arrives there too. */
async function ensureFileSink(destinations: AuditDestinationRepository, tenantId: string, slug: string): Promise<void> {
  await TenantContext.run({ tenantId, actorId: SYSTEM_ACTOR_ID }, async () => {
    if ((await destinations.list()).some((destination) => destination.name === 'demo-file')) return;
    await destinations.add({ name: 'demo-file', kind: 'file', settings: { fileName: `${slug}.jsonl` } });
  });
}
