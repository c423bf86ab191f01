import 'reflect-metadata';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { routeDeclarations, type RouteDeclaration } from '@veilig/access';
import { AuditForwarder, AuditMaintenance, AuditWriter, loadAuditSigningKey, type AuditSigningKey } from '@veilig/audit';
import type { AppConfig } from '@veilig/platform-config';
import { TenantDatabaseRouter } from '@veilig/tenancy';
import { connectSessionRedis, PostgresSessionStore, RedisSessionStore, SecretBox, type SessionStore } from '@veilig/identity';
import { openAppDataSource, prepareDatabase, queryRows, readOrCreateSecret, startEmbeddedPostgres } from '@veilig/platform-database';
import {
  buildSecurityHeaders,
  CertificateWatcher,
  contextCredentials,
  createLogger,
  createRedirectServer,
  ensureDevelopmentCertificate,
  fastifyServerOptions,
  installHttpPolicy,
  loadCertificate,
  OcspStapler,
  PinoNestLogger,
  ProblemExceptionFilter,
  tlsContextOptions,
  type HttpPolicy,
} from '@veilig/platform-http';
import type { DestinationStream, Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { AppModule, type AppModuleOptions } from './app.module.js';
import { APPLICATION_MIGRATIONS } from './application-parts.js';
import { recordUnexpectedError } from './audit/exception-audit.js';
import { loadDedicatedDatabases } from './dedicated-databases.js';

export interface RunningApi {
  /** Where the application is served: HTTPS, or plain HTTP behind an offloader. */
  readonly url: string;
  /** The redirect-only plain-HTTP listener (native TLS only). */
  readonly redirectUrl: string | undefined;
  readonly logger: Logger;
  /** Every route and what it declares about who may call it. */
  routes(): RouteDeclaration[];
  close(): Promise<void>;
}

export interface StartApiOptions {
  /** Where JSON logs go; stdout when omitted. */
  readonly logDestination?: DestinationStream;
  /** Progress lines for a person watching `npm start`. */
  readonly onProgress?: (message: string) => void;
  /** Feature modules a fork (or a test) adds to the application. */
  readonly modules?: AppModuleOptions['modules'];
}

const ASSETS_FOLDER = fileURLToPath(new URL('./assets', import.meta.url));

/**
 * Starts the whole service: database (embedded when none is configured), migrations, the
 * HTTPS listener with the full security policy and the HTTP listener that only redirects. On
 * any failure everything already started is stopped again before the error is rethrown.
 */
export async function startApi(config: AppConfig, options: StartApiOptions = {}): Promise<RunningApi> {
  const logger = createLogger(config.logLevel, options.logDestination);
  const progress = options.onProgress ?? (() => undefined);
  const closers: Array<() => Promise<unknown> | void> = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) {
      try {
        await closer();
      } catch (error) {
        logger.warn({ err: error }, 'error while shutting down');
      }
    }
  };

  try {
    const database = await openOperatorDatabase(config, logger, progress);
    closers.push(() => database.close());
    const dataSource = await openAppDataSource({ url: database.appUrl });
    closers.push(() => dataSource.destroy());
    const sessions = await openSessionStore(config, dataSource, logger);
    closers.push(() => sessions.close());
    const tenantDatabases = new TenantDatabaseRouter(dataSource, await prepareDedicatedDatabases(config, logger, progress));
    closers.push(() => tenantDatabases.close());
    const secretBox = secretBoxFrom(config);
    const auditSigningKey = auditSigningKeyFrom(config);
    // Only the service (and the operator) may read what file destinations write.
    mkdirSync(config.audit.fileDirectory, { recursive: true, mode: 0o700 });
    // Reads every tenant's trail where it lives (shared or dedicated); destinations stay shared.
    const auditForwarder = new AuditForwarder(dataSource, {
      secretBox,
      tenantDatabases,
      fileDirectory: config.audit.fileDirectory,
      logger: logger.child({ component: 'audit-forwarder' }),
    });

    const headers = buildSecurityHeaders({ hstsPreload: config.http.hstsPreload });
    const policy: HttpPolicy = {
      allowedHosts: config.http.allowedHosts,
      headers,
      tlsOffloaded: config.tls.mode === 'offloaded',
      trustProxy: config.http.trustProxy,
      publicHttpsPort: config.http.publicOrigin.port,
      bodyLimitBytes: config.http.bodyLimitBytes,
    };

    const native = config.tls.mode === 'native';
    const certificateFiles = native
      ? config.tls.certFile && config.tls.keyFile
        ? { certFile: config.tls.certFile, keyFile: config.tls.keyFile }
        : await ensureDevelopmentCertificate(config.dataDir)
      : undefined;
    const certificate = certificateFiles ? loadCertificate(certificateFiles) : undefined;

    const adapter = new FastifyAdapter({
      ...fastifyServerOptions(policy, logger),
      // Host is checked by the policy hook so a missing one still gets problem+json with every header.
      ...(certificate
        ? { https: { ...tlsContextOptions(contextCredentials(certificate)), requireHostHeader: false } }
        : { http: { requireHostHeader: false } }),
    });
    installHttpPolicy(adapter.getInstance(), policy);

    const signingKey = config.securityTxt.signingKeyFile
      ? {
          armoredPrivateKey: readFileSync(config.securityTxt.signingKeyFile, 'utf8'),
          passphrase: config.securityTxt.signingKeyPassphrase,
        }
      : undefined;
    const app = await NestFactory.create<NestFastifyApplication>(
      AppModule.register({
        config,
        dataSource,
        tenantDatabases,
        auditForwarder,
        secretBox,
        sessionStore: sessions.store,
        logger: logger.child({ component: 'identity' }),
        securityTxtSigningKey: signingKey,
        modules: options.modules ?? [],
      }),
      adapter,
      { logger: new PinoNestLogger(logger), abortOnError: false },
    );
    app.useGlobalFilters(new ProblemExceptionFilter(recordUnexpectedError(app.get(AuditWriter))));
    app.useStaticAssets({ root: ASSETS_FOLDER, prefix: '/assets/', cacheControl: false });
    closers.push(() => app.close());
    await app.listen(config.http.httpsPort, config.http.host);
    auditForwarder.start();
    closers.push(() => auditForwarder.stop());
    const auditMaintenance = new AuditMaintenance(app.get(AuditWriter), {
      tenants: async () => (await queryRows<{ id: string }>(dataSource, 'SELECT id FROM tenants')).map((row) => row.id),
      signingKey: auditSigningKey.privateKey,
      keyId: auditSigningKey.keyId,
      checkpointIntervalMs: config.audit.checkpointIntervalMs,
      logger: logger.child({ component: 'audit-maintenance' }),
    });
    auditMaintenance.start();
    closers.push(() => auditMaintenance.stop());
    const server = app.getHttpServer() as HttpsServer | HttpServer;
    const url = `${native ? 'https' : 'http'}://${hostForUrl(config.http.host)}:${(server.address() as AddressInfo).port}`;

    if (certificate && certificateFiles) {
      const httpsServer = server as HttpsServer;
      const stapler = new OcspStapler({ certChainPem: certificate.certChainPem, logger });
      if (config.tls.ocspStapling) {
        stapler.attach(httpsServer);
        await stapler.start();
        closers.push(() => stapler.stop());
      }
      const watcher = new CertificateWatcher(
        certificateFiles,
        (renewed) => {
          httpsServer.setSecureContext(tlsContextOptions(contextCredentials(renewed)));
          if (config.tls.ocspStapling) {
            stapler.replaceChain(renewed.certChainPem).catch((error: unknown) => logger.warn({ err: error }, 'OCSP stapler kept the previous chain'));
          }
        },
        logger,
      );
      watcher.start();
      closers.push(() => watcher.stop());
    }

    let redirectUrl: string | undefined;
    if (native) {
      const redirectServer = createRedirectServer({
        allowedHosts: config.http.allowedHosts,
        httpsPort: config.http.publicOrigin.port,
        headers: headers.plain,
      });
      await new Promise<void>((resolve, reject) => {
        redirectServer.once('error', reject);
        redirectServer.listen(config.http.httpPort, config.http.host, () => resolve());
      });
      closers.push(
        () =>
          new Promise<void>((resolve) => {
            redirectServer.closeAllConnections();
            redirectServer.close(() => resolve());
          }),
      );
      redirectUrl = `http://${hostForUrl(config.http.host)}:${(redirectServer.address() as AddressInfo).port}`;
    }

    logger.info({ url, redirectUrl, tlsMode: config.tls.mode, env: config.env }, 'veilig api started');
    return { url, redirectUrl, logger, routes: () => routeDeclarations(app), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The database, migrated, and the URL of the application role: the configured server, or the
 * embedded one (started here unless this kit already runs it). Shared by the service and the CLI.
 */
export async function openOperatorDatabase(
  config: AppConfig,
  logger: Logger,
  progress: (message: string) => void = () => undefined,
): Promise<{ appUrl: string; close(): Promise<void> }> {
  let migrationUrl = config.database.migrationUrl;
  let close: () => Promise<void> = async () => undefined;
  if (!migrationUrl) {
    progress(`starting embedded PostgreSQL on 127.0.0.1:${config.database.embeddedPort}`);
    const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.database.embeddedPort, logger });
    migrationUrl = embedded.url;
    close = () => embedded.stop();
  }
  try {
    progress('running database migrations');
    const appUrl = await prepareDatabase({
      migrationUrl,
      appUrl: config.database.appUrl,
      appRole: config.database.appRole,
      dataDir: config.dataDir,
      migrations: APPLICATION_MIGRATIONS,
      logger,
    });
    return { appUrl, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Where sessions live (SESSION_STORE): the shared database, or Redis, with PostgreSQL still
 * deciding at every request whether the tenant and the user may use one (docs/identity.md).
 */
async function openSessionStore(config: AppConfig, dataSource: DataSource, logger: Logger): Promise<{ store: SessionStore; close(): Promise<void> }> {
  if (config.sessionStore.kind === 'postgres') return { store: new PostgresSessionStore(dataSource), close: async () => undefined };
  const redis = await connectSessionRedis(config.sessionStore.url, logger);
  return { store: new RedisSessionStore(redis, dataSource, { keyPrefix: config.sessionStore.keyPrefix }), close: () => redis.close() };
}

/**
 * Dedicated mode (SE-6.2): each tenant database of DEDICATED_DATABASES_FILE migrated as the shared
 * one is, and the URL its application role connects with, by tenant.
 */
async function prepareDedicatedDatabases(config: AppConfig, logger: Logger, progress: (message: string) => void): Promise<Record<string, string>> {
  if (!config.dedicatedDatabasesFile) return {};
  const appUrls: Record<string, string> = {};
  for (const [tenantId, entry] of Object.entries(loadDedicatedDatabases(config.dedicatedDatabasesFile, config.production))) {
    progress(`migrating the dedicated database of tenant ${tenantId}`);
    appUrls[tenantId] = await prepareDatabase({
      migrationUrl: entry.migrationUrl,
      appUrl: entry.appUrl,
      appRole: config.database.appRole,
      // The role is the same everywhere, so is its password: one file for every database.
      dataDir: config.dataDir,
      migrations: APPLICATION_MIGRATIONS,
      logger,
    });
  }
  return appUrls;
}

/** The key that signs audit checkpoints: the configured one, or outside production one generated under DATA_DIR. */
export function auditSigningKeyFrom(config: AppConfig): AuditSigningKey {
  return loadAuditSigningKey(config.audit.signingKeyFile ?? join(config.dataDir, 'audit-signing-key.pem'), {
    createIfMissing: !config.production && !config.audit.signingKeyFile,
  });
}

/** The configured keys, or outside production one generated under DATA_DIR and kept between runs. */
export function secretBoxFrom(config: AppConfig): SecretBox {
  const entries = config.secretsEncryptionKeys ?? [`dev:${readOrCreateSecret(join(config.dataDir, 'secrets-encryption-key'))}`];
  const [current, ...previous] = entries.map((entry) => {
    const [id, key] = entry.split(':') as [string, string];
    return { id, key: Buffer.from(key, 'base64') };
  });
  return new SecretBox(current!, previous);
}

/** The development certificate names localhost, so that is the name to print for any loopback or wildcard bind. */
function hostForUrl(host: string): string {
  if (['0.0.0.0', '::', '127.0.0.1', '::1'].includes(host)) return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
