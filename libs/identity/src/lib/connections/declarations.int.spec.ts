import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@veilig/platform-testing';
import { SYSTEM_ACTOR_ID, TenantContext, TenantScope } from '@veilig/tenancy';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantDirectory } from '../directory/tenant-directory.js';
import { IDENTITY_MIGRATIONS } from '../migrations/index.js';
import { startLoopbackHttpsServer, type LoopbackHttpsServer } from '../oidc/testing/loopback-https-server.js';
import { TestIdp } from '../saml/testing/test-idp.js';
import { SecretBox } from '../secret-box.js';
import { PostgresLocalAccountStore } from '../stores/postgres-local-stores.js';
import type { SamlSettings } from '../web/federation-registry.js';
import { IdentityEvents, type IdentityEvent } from '../web/identity-events.js';
import { applyDeclarations, DeclarationsError, loadDeclarations, type DeclarationResult } from './declarations.js';
import { fetchIdpMetadata } from './fetch-idp-metadata.js';
import { MetadataRefresher } from './metadata-refresher.js';
import { SsoAdministration } from './sso-administration.js';
import { SsoConnectionRepository } from './sso-connection-repository.js';

const SP = { entityId: 'urn:placeholder', acsUrl: 'https://zaken.example.nl/x', sloUrl: 'https://zaken.example.nl/y' };

class RecordedEvents extends IdentityEvents {
  readonly events: IdentityEvent[] = [];

  async emit(event: IdentityEvent): Promise<void> {
    this.events.push(event);
  }
}

describe('SSO declarations', () => {
  let migrated: MigratedTestDatabase;
  let declarationsDir: string;
  let app: DataSource;
  let server: LoopbackHttpsServer;
  let repository: SsoConnectionRepository;
  let administration: SsoAdministration;
  let refresher: MetadataRefresher;
  const events = new RecordedEvents();
  const forgotten: string[] = [];
  const published = new Map<string, string>();
  const logger = pino({ level: 'silent' });

  /** Writes a declarations file (and any files it refers to) the way an operator would, and applies it. */
  async function apply(declarations: unknown, name = 'sso.json'): Promise<DeclarationResult[]> {
    const file = join(declarationsDir, name);
    writeFileSync(file, JSON.stringify(declarations, null, 2));
    return applyDeclarations(loadDeclarations(file), administration, refresher);
  }

  function publish(path: string, xml: string): string {
    published.set(path, xml);
    return `${server.origin}${path}`;
  }

  /** The stored row, read as the application does: in its tenant's context (row-level security). */
  async function sealedRow(tenantSlug: string, name: string): Promise<{ secrets_sealed: string; settings: Record<string, unknown> }> {
    const [tenant] = await app.query<Array<{ id: string }>>('SELECT id FROM tenants WHERE slug = $1', [tenantSlug]);
    const rows = await TenantContext.run({ tenantId: tenant!.id, actorId: SYSTEM_ACTOR_ID }, () =>
      new TenantScope(app).query<{ secrets_sealed: string; settings: Record<string, unknown> }>(
        'SELECT secrets_sealed, settings FROM sso_connections WHERE name = $1',
        [name],
      ),
    );
    return rows[0]!;
  }

  beforeAll(async () => {
    declarationsDir = mkdtempSync(join(tmpdir(), 'veilig-declarations-'));
    migrated = await createMigratedTestDatabase(IDENTITY_MIGRATIONS);
    app = migrated.app;
    server = await startLoopbackHttpsServer();
    server.handle((request, response) => {
      const xml = published.get(request.url ?? '');
      if (xml === undefined) return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(xml);
    });
    repository = new SsoConnectionRepository(app, new SecretBox({ id: 'test', key: randomBytes(32) }));
    const outbound = { trustedCaPem: server.caPem };
    administration = new SsoAdministration(new TenantDirectory(app), repository, events, {
      actor: { operator: 'declarations' },
      production: false,
      allowPrivateNetwork: true,
      outbound,
    });
    refresher = new MetadataRefresher(
      repository,
      (url) => fetchIdpMetadata(url, { allowPrivateNetwork: true, outbound }),
      (connectionId) => forgotten.push(connectionId),
      events,
      logger,
    );
  });
  afterAll(async () => {
    await server?.close();
    await migrated?.close();
    rmSync(declarationsDir, { recursive: true, force: true });
  });

  it('[SE-7.1] creates declared tenants and connections, reports certificates to register, and a second run changes nothing', async () => {
    const entra = await TestIdp.create(SP);
    const entraTenantId = randomUUID();
    writeFileSync(join(declarationsDir, 'gemeente-a-federationmetadata.xml'), entra.federationMetadataXml());
    writeFileSync(join(declarationsDir, 'client-secret.txt'), 'documented-fallback-secret\n');
    const declarations = {
      tenants: [
        {
          slug: 'gemeente-a',
          name: 'Gemeente A',
          authMode: 'federated',
          emailDomains: ['Gemeente-A.example.nl'],
          ipAllowList: ['192.0.2.0/24', '2001:DB8:0::/48', '198.51.100.7'],
          connections: [
            { name: 'entra', protocol: 'saml', metadataUrl: publish('/gemeente-a/federationmetadata.xml', entra.federationMetadataXml()) },
            { name: 'entra-upload', protocol: 'saml', metadataFile: 'gemeente-a-federationmetadata.xml', spEntityId: 'urn:veilig:gemeente-a' },
            { name: 'entra-oidc', protocol: 'oidc', issuer: `https://login.microsoftonline.com/${entraTenantId}/v2.0`, entraTenantId, clientId: randomUUID() },
            {
              name: 'entra-secret',
              protocol: 'oidc',
              issuer: `https://login.microsoftonline.com/${entraTenantId}/v2.0`,
              entraTenantId,
              clientId: randomUUID(),
              clientSecretFile: 'client-secret.txt',
            },
          ],
        },
        { slug: 'stichting-b', name: 'Stichting B', authMode: 'local-2fa', ipAllowList: null },
      ],
    };

    const first = await apply(declarations);

    expect(first.map(({ tenant, connection, outcome }) => [tenant, connection, outcome])).toEqual([
      ['gemeente-a', undefined, 'created'],
      ['gemeente-a', 'entra', 'created'],
      ['gemeente-a', 'entra-upload', 'created'],
      ['gemeente-a', 'entra-oidc', 'created'],
      ['gemeente-a', 'entra-secret', 'created'],
      ['stichting-b', undefined, 'created'],
    ]);
    const certificates = Object.fromEntries(first.filter((result) => result.connection).map((result) => [result.connection, result.certificatePem]));
    expect(certificates['entra']).toContain('BEGIN CERTIFICATE');
    expect(certificates['entra-upload']).toContain('BEGIN CERTIFICATE');
    expect(certificates['entra-oidc']).toContain('BEGIN CERTIFICATE');
    expect(certificates['entra-secret']).toBeUndefined();
    const tenant = await administration.findTenant('gemeente-a');
    expect(tenant).toMatchObject({ emailDomains: ['gemeente-a.example.nl'], ipAllowList: ['192.0.2.0/24', '2001:db8::/48', '198.51.100.7/32'] });
    const connections = await administration.listConnections('gemeente-a');
    const secretConnection = connections.find((connection) => connection.name === 'entra-secret')!;
    expect(await repository.secretsOf(secretConnection)).toEqual({ clientSecret: 'documented-fallback-secret' });
    expect(connections.find((connection) => connection.name === 'entra-upload')?.settings).toMatchObject({ spEntityId: 'urn:veilig:gemeente-a', idpEntityId: entra.entityId });

    const eventsBefore = events.events.length;
    const second = await apply(declarations);

    expect(second.map(({ tenant, connection, outcome, changes }) => ({ tenant, connection, outcome, changes }))).toEqual(
      first.map(({ tenant, connection }) => ({ tenant, connection, outcome: 'unchanged', changes: [] })),
    );
    expect(events.events.slice(eventsBefore)).toEqual([]);
  });

  it('[SE-7.1] refuses an invalid declarations file with errors that name the JSON path', () => {
    const file = join(declarationsDir, 'invalid.json');
    writeFileSync(
      file,
      JSON.stringify({
        tenants: [
          {
            slug: 'gemeente-x',
            name: 'Gemeente X',
            authMode: 'federated',
            ipAllowList: ['10.0.0.0/33'],
            connections: [
              { name: 'entra', protocol: 'saml' },
              { name: 'entra-oidc', protocol: 'oidc', issuer: 'http://login.microsoftonline.com/x/v2.0', entraTenantId: 'not-a-guid', clientId: 'c' },
              { name: 'entra', protocol: 'ws-fed' },
            ],
          },
          { slug: 'Stichting Y', name: 'Y', authMode: 'password', metadataURL: 'https://example.nl' },
        ],
      }),
    );

    const thrown = (() => {
      try {
        loadDeclarations(file);
      } catch (error) {
        return error;
      }
      return undefined;
    })();

    expect(thrown).toBeInstanceOf(DeclarationsError);
    expect((thrown as DeclarationsError).message).toContain(file);
    expect((thrown as DeclarationsError).problems).toEqual(
      expect.arrayContaining([
        'tenants[0].ipAllowList[0]: must be an IP address or CIDR range',
        'tenants[0].connections[0]: give exactly one of metadataUrl and metadataFile',
        'tenants[0].connections[1].issuer: must be an https URL',
        'tenants[0].connections[1].entraTenantId: must be the Entra tenant id (a GUID)',
        expect.stringMatching(/^tenants\[0\]\.connections\[2\]\.protocol: /),
        'tenants[1].slug: must be lower-case letters, digits and hyphens, at most 63',
        expect.stringMatching(/^tenants\[1\]\.authMode: /),
        'tenants[1]: Unrecognized key: "metadataURL"',
      ]),
    );
    writeFileSync(file, '{ "tenants": [ ');
    expect(() => loadDeclarations(file)).toThrow(/is not JSON/);
  });

  it('[SE-7.2] reports a sign-in mode change refused while the tenant has users, applies the rest and carries on', async () => {
    const local = await administration.addTenant({ slug: 'stichting-c', name: 'Stichting C', authMode: 'local-2fa' });
    await new PostgresLocalAccountStore(app).createAccount(local.id, 'medewerker@stichting-c.example.nl', '$argon2id$placeholder');
    const entra = await TestIdp.create(SP);

    const results = await apply({
      tenants: [
        {
          slug: 'stichting-c',
          name: 'Stichting C',
          authMode: 'federated',
          emailDomains: ['stichting-c.example.nl'],
          connections: [{ name: 'entra', protocol: 'saml', metadataUrl: publish('/stichting-c/federationmetadata.xml', entra.federationMetadataXml()) }],
        },
        { slug: 'stichting-d', name: 'Stichting D', authMode: 'local-2fa' },
      ],
    });

    expect(results).toEqual([
      {
        tenant: 'stichting-c',
        outcome: 'refused',
        changes: ['emailDomains: none -> stichting-c.example.nl'],
        reason: expect.stringMatching(/still has users of its current sign-in mode/),
      },
      { tenant: 'stichting-c', connection: 'entra', outcome: 'refused', changes: [], reason: 'tenant "stichting-c" signs in locally; switch it to federated first' },
      { tenant: 'stichting-d', outcome: 'created', changes: [] },
    ]);
    expect(await administration.findTenant('stichting-c')).toMatchObject({ authMode: 'local-2fa', emailDomains: ['stichting-c.example.nl'] });
    expect(events.events).toContainEqual(expect.objectContaining({ action: 'tenant.auth-mode.changed', outcome: 'failure', tenantId: local.id }));
  });

  it('[SE-7.1] updates a changed OIDC client id without touching the connection\'s credential', async () => {
    const entraTenantId = randomUUID();
    const declared = (clientId: string, tenantId = entraTenantId) => ({
      tenants: [
        {
          slug: 'gemeente-e',
          name: 'Gemeente E',
          authMode: 'federated',
          connections: [{ name: 'entra', protocol: 'oidc', issuer: `https://login.microsoftonline.com/${entraTenantId}/v2.0`, entraTenantId: tenantId, clientId }],
        },
      ],
    });
    const [, created] = await apply(declared('11111111-1111-4111-8111-111111111111'));
    const before = await sealedRow('gemeente-e', 'entra');

    const [, updated] = await apply(declared('22222222-2222-4222-8222-222222222222'));

    expect(updated).toEqual({
      tenant: 'gemeente-e',
      connection: 'entra',
      outcome: 'updated',
      changes: ['clientId: 11111111-1111-4111-8111-111111111111 -> 22222222-2222-4222-8222-222222222222'],
    });
    const after = await sealedRow('gemeente-e', 'entra');
    expect(after.secrets_sealed).toBe(before.secrets_sealed);
    expect(after.settings).toEqual({ ...before.settings, clientId: '22222222-2222-4222-8222-222222222222' });
    expect(after.settings['certificatePem']).toBe(created?.certificatePem);
    expect(events.events).toContainEqual(expect.objectContaining({ action: 'sso.connection.updated', operator: 'declarations', connectionId: created?.connectionId }));

    const [, otherTenant] = await apply(declared('22222222-2222-4222-8222-222222222222', randomUUID()));
    expect(otherTenant).toMatchObject({ outcome: 'refused', reason: expect.stringContaining('another Entra tenant') });
    expect((await sealedRow('gemeente-e', 'entra')).settings).toEqual(after.settings);
  });

  it('[SE-7.1] refreshes an existing SAML connection through the refresher and refuses a changed metadata source', async () => {
    const entra = await TestIdp.create(SP);
    const metadataUrl = publish('/gemeente-f/federationmetadata.xml', entra.federationMetadataXml());
    const declared = (source: { metadataUrl: string } | { metadataFile: string }) => ({
      tenants: [{ slug: 'gemeente-f', name: 'Gemeente F', authMode: 'federated', connections: [{ name: 'entra', protocol: 'saml', ...source }] }],
    });
    const [, created] = await apply(declared({ metadataUrl }));
    const rolledOver = await entra.withNewSigningKey();
    publish('/gemeente-f/federationmetadata.xml', entra.federationMetadataXml([entra.signingKey.certPem, rolledOver.signingKey.certPem]));

    const [, refreshed] = await apply(declared({ metadataUrl }));

    expect(refreshed).toMatchObject({ outcome: 'updated', changes: ['metadata: signing certificates: 1 added, 0 removed, 2 trusted'] });
    expect(forgotten).toContain(created?.connectionId);
    const [connection] = await administration.listConnections('gemeente-f');
    expect((connection!.settings as unknown as SamlSettings).idpSigningCertsPem).toHaveLength(2);

    writeFileSync(join(declarationsDir, 'gemeente-f.xml'), entra.federationMetadataXml());
    const [, switched] = await apply(declared({ metadataFile: 'gemeente-f.xml' }));
    expect(switched).toMatchObject({ outcome: 'refused', reason: expect.stringContaining(`the connection follows ${metadataUrl}`) });
    expect((await administration.listConnections('gemeente-f'))[0]?.settings).toEqual(connection!.settings);
  });
});
