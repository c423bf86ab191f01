import { randomBytes } from 'node:crypto';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@veilig/platform-testing';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantDirectory } from '../directory/tenant-directory.js';
import { ENTRA_SAML_CLAIMS } from '../federated-identity.js';
import { IDENTITY_MIGRATIONS } from '../migrations/index.js';
import { startLoopbackHttpsServer, type LoopbackHttpsServer } from '../oidc/testing/loopback-https-server.js';
import { base64, TestIdp } from '../saml/testing/test-idp.js';
import { SecretBox } from '../secret-box.js';
import { PendingLoginStore, SeenAssertionStore } from '../stores/pending-login-store.js';
import { FederationRegistry, type SamlSettings } from '../web/federation-registry.js';
import { IdentityEvents, type IdentityEvent } from '../web/identity-events.js';
import { fetchIdpMetadata } from './fetch-idp-metadata.js';
import { MetadataRefresher } from './metadata-refresher.js';
import { SsoAdministration } from './sso-administration.js';
import { SsoConnectionRepository, type SsoConnection } from './sso-connection-repository.js';

const ORIGIN = 'https://zaken.example.nl';
const DAY_MS = 24 * 60 * 60 * 1000;

class RecordedEvents extends IdentityEvents {
  readonly events: IdentityEvent[] = [];

  async emit(event: IdentityEvent): Promise<void> {
    this.events.push(event);
  }

  about(connectionId: string): IdentityEvent[] {
    return this.events.filter((event) => event.connectionId === connectionId && event.action === 'sso.connection.metadata-refresh');
  }
}

/** An Entra tenant whose federation metadata the local HTTPS server publishes; `publish` changes what it serves. */
interface PublishedIdp {
  readonly idp: TestIdp;
  readonly connection: SsoConnection;
  publish(response: { readonly status?: number; readonly xml?: string }): void;
}

describe('MetadataRefresher', () => {
  let migrated: MigratedTestDatabase;
  let app: DataSource;
  let server: LoopbackHttpsServer;
  let repository: SsoConnectionRepository;
  let administration: SsoAdministration;
  let registry: FederationRegistry;
  const events = new RecordedEvents();
  const forgotten: string[] = [];
  const published = new Map<string, { status: number; xml: string }>();
  const logger = pino({ level: 'silent' });

  const refresherAt = (now: () => Date, options: { allowPrivateNetwork?: boolean } = {}) =>
    new MetadataRefresher(
      repository,
      (url) => fetchIdpMetadata(url, { allowPrivateNetwork: options.allowPrivateNetwork ?? true, outbound: { trustedCaPem: server.caPem } }),
      (connectionId) => {
        forgotten.push(connectionId);
        registry.forget(connectionId);
      },
      events,
      logger,
      { now },
    );
  const dayLater = () => new Date(Date.now() + DAY_MS + 60_000);

  async function publishedIdp(slug: string): Promise<PublishedIdp> {
    const path = `/${slug}/federationmetadata/2007-06/federationmetadata.xml`;
    const placeholder = await TestIdp.create({ entityId: 'urn:placeholder', acsUrl: `${ORIGIN}/x`, sloUrl: `${ORIGIN}/y` });
    const publish = ({ status = 200, xml = published.get(path)?.xml ?? '' }: { status?: number; xml?: string }) => published.set(path, { status, xml });
    publish({ xml: placeholder.federationMetadataXml() });
    await administration.addTenant({ slug, name: slug, authMode: 'federated' });
    const { connection } = await administration.addSamlConnection(slug, 'entra', { metadataUrl: `${server.origin}${path}` });
    const base = `${ORIGIN}/sso/saml/${connection.id}`;
    return { idp: placeholder.forServiceProvider({ entityId: `${base}/metadata`, acsUrl: `${base}/acs`, sloUrl: `${base}/slo` }), connection, publish };
  }

  async function stored(connection: SsoConnection): Promise<SsoConnection> {
    return (await repository.findById(connection.id))!;
  }

  beforeAll(async () => {
    migrated = await createMigratedTestDatabase(IDENTITY_MIGRATIONS);
    app = migrated.app;
    server = await startLoopbackHttpsServer();
    server.handle((request, response) => {
      const served = published.get(request.url ?? '');
      if (!served) return void response.writeHead(404).end();
      response.writeHead(served.status, { 'content-type': 'application/samlmetadata+xml' }).end(served.xml);
    });
    repository = new SsoConnectionRepository(app, new SecretBox({ id: 'test', key: randomBytes(32) }));
    administration = new SsoAdministration(new TenantDirectory(app), repository, events, {
      actor: { operator: 'test' },
      production: false,
      allowPrivateNetwork: true,
      outbound: { trustedCaPem: server.caPem },
    });
    registry = new FederationRegistry(repository, new PendingLoginStore(app), new SeenAssertionStore(app), {
      publicOrigin: new URL(ORIGIN),
      production: false,
    });
  });
  afterAll(async () => {
    await server?.close();
    await migrated?.close();
  });

  it('[SE-7.1] refreshes Entra metadata on schedule and accepts both certificates during a rollover', async () => {
    const { idp, connection, publish } = await publishedIdp('gemeente-a');
    const signIn = async (signer: TestIdp, current: SsoConnection) => {
      const provider = await registry.samlProvider(current);
      const { requestId } = await provider.createLoginRedirect({ relayState: '' });
      const samlResponse = signer.response({ inResponseTo: requestId, attributes: { [ENTRA_SAML_CLAIMS.objectId]: ['oid-rollover'] } });
      return provider.validatePostResponse({ SAMLResponse: base64(samlResponse) });
    };
    const today = refresherAt(() => new Date());
    expect(await today.refreshDue()).toContainEqual({ connectionId: connection.id, outcome: 'unchanged' });
    expect((await today.refreshDue()).map((result) => result.connectionId)).not.toContain(connection.id);

    // Entra publishes the next certificate beside the current one before it signs with it.
    const rolledOver = await idp.withNewSigningKey();
    publish({ xml: idp.federationMetadataXml([idp.signingKey.certPem, rolledOver.signingKey.certPem]) });
    await expect(signIn(rolledOver, connection)).rejects.toMatchObject({ reason: 'signature-invalid' });
    expect(await today.refreshDue()).not.toContainEqual(expect.objectContaining({ connectionId: connection.id }));

    const results = await refresherAt(dayLater).refreshDue();
    expect(results).toContainEqual({ connectionId: connection.id, outcome: 'updated', detail: 'signing certificates: 1 added, 0 removed, 2 trusted' });
    expect(forgotten).toContain(connection.id);
    const refreshed = await stored(connection);
    const settings = refreshed.settings as unknown as SamlSettings;
    const before = connection.settings as unknown as SamlSettings;
    expect(settings.idpSigningCertsPem).toHaveLength(2);
    expect(settings.spSigningCertPem).toBe(before.spSigningCertPem);
    expect(await repository.secretsOf(refreshed)).toEqual(await repository.secretsOf(connection));
    await expect(signIn(rolledOver, refreshed)).resolves.toMatchObject({ entraObjectId: 'oid-rollover' });
    await expect(signIn(idp, refreshed)).resolves.toMatchObject({ entraObjectId: 'oid-rollover' });
    expect(events.about(connection.id)).toEqual([expect.objectContaining({ outcome: 'success', tenantId: connection.tenantId, reason: results.find((r) => r.connectionId === connection.id)?.detail })]);
  });

  it('[SE-7.1] [SE-7.2] refuses refreshed metadata that names another IdP and keeps the connection as it was', async () => {
    const { connection, publish } = await publishedIdp('gemeente-b');
    const otherTenant = await TestIdp.create({ entityId: 'urn:placeholder', acsUrl: `${ORIGIN}/x`, sloUrl: `${ORIGIN}/y` });
    publish({ xml: otherTenant.federationMetadataXml() });

    const results = await refresherAt(dayLater).refreshDue();

    expect(results).toContainEqual(expect.objectContaining({ connectionId: connection.id, outcome: 'refused', detail: expect.stringContaining(otherTenant.entityId) }));
    expect((await stored(connection)).settings).toEqual(connection.settings);
    expect(forgotten).not.toContain(connection.id);
    expect(events.about(connection.id)).toEqual([expect.objectContaining({ outcome: 'denied', reason: expect.stringContaining(otherTenant.entityId) })]);
  });

  it('[SE-7.1] keeps the current settings and reports a failure when the metadata cannot be fetched', async () => {
    const { connection, publish } = await publishedIdp('gemeente-c');
    publish({ status: 503 });
    expect(await refresherAt(dayLater).refreshDue()).toContainEqual(
      expect.objectContaining({ connectionId: connection.id, outcome: 'failed', detail: expect.stringContaining('HTTP 503') }),
    );
    publish({ status: 200 });
    // Outside development the SSRF guard refuses the loopback address the metadata URL points to.
    expect(await refresherAt(dayLater, { allowPrivateNetwork: false }).refreshDue()).toContainEqual(
      expect.objectContaining({ connectionId: connection.id, outcome: 'failed', detail: expect.stringContaining('loopback') }),
    );

    expect((await stored(connection)).settings).toEqual(connection.settings);
    expect(events.about(connection.id).map((event) => event.outcome)).toEqual(['failure', 'failure']);
    // Not marked as refreshed, so the next hourly check tries again.
    expect((await repository.listDueForMetadataRefresh(new Date())).map((due) => due.id)).toContain(connection.id);
  });

  it('[SE-7.1] start() refreshes due connections at once; stop() waits for that refresh', async () => {
    const { connection } = await publishedIdp('gemeente-d');
    const refresher = refresherAt(() => new Date());
    refresher.start();
    await refresher.stop();
    expect((await repository.listDueForMetadataRefresh(new Date(Date.now() - 60_000))).map((due) => due.id)).not.toContain(connection.id);
  });
});
