import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { fetchIdpMetadata } from './connections/fetch-idp-metadata.js';
import { MetadataRefresher } from './connections/metadata-refresher.js';
import { SsoAdministration } from './connections/sso-administration.js';
import { IdentityStartup } from './identity-startup.js';
import { SsoConnectionRepository } from './connections/sso-connection-repository.js';
import { TenantDirectory } from './directory/tenant-directory.js';
import { UserDirectory } from './directory/user-directory.js';
import { AuthenticationGuard } from './http/authentication.guard.js';
import { SessionController } from './http/session.controller.js';
import { TenantAdministrationController } from './http/tenant-administration.controller.js';
import { SecretBox } from './secret-box.js';
import { SessionStore } from './sessions/session-store.js';
import { LocalSignIn } from './local/local-sign-in.js';
import { SessionExpirySweeper } from './sessions/session-expiry-sweeper.js';
import { LoginThrottle } from './local/login-throttle.js';
import { PasswordHasher } from './local/password-hasher.js';
import { TotpAuthenticator } from './local/totp.js';
import { PendingLoginStore, SeenAssertionStore } from './stores/pending-login-store.js';
import { PostgresLocalAccountStore, PostgresThrottleStore } from './stores/postgres-local-stores.js';
import { IdentityEvents } from './web/identity-events.js';
import { FederatedLogout } from './web/federated-logout.js';
import { FederationRegistry } from './web/federation-registry.js';
import { LoginController } from './web/login.controller.js';
import { SsoController } from './web/sso.controller.js';

export interface IdentityModuleOptions {
  readonly dataSource: DataSource;
  readonly secretBox: SecretBox;
  readonly events: IdentityEvents;
  /** Where users reach the service: ACS, callback and metadata URLs are built on it. */
  readonly publicOrigin: URL;
  readonly production: boolean;
  readonly logger: Logger;
  /** SSO_DECLARATIONS_FILE: tenants and connections applied idempotently at start. */
  readonly declarationsFile?: string | undefined;
  /** Where sessions live: PostgresSessionStore, or RedisSessionStore with SESSION_STORE=redis. */
  readonly sessionStore: SessionStore;
}

/** Authentication for the whole application: the global guard and the stores behind it. */
@Module({})
export class IdentityModule {
  static forRoot(options: IdentityModuleOptions): DynamicModule {
    const { dataSource } = options;
    const accounts = new PostgresLocalAccountStore(dataSource);
    const throttleStore = new PostgresThrottleStore(dataSource);
    const totp = new TotpAuthenticator(options.secretBox);
    const hasher = new PasswordHasher();
    const localSignIn = new LocalSignIn({ accounts, throttle: new LoginThrottle(throttleStore), hasher, totp });
    const connections = new SsoConnectionRepository(dataSource, options.secretBox);
    const pendingLogins = new PendingLoginStore(dataSource);
    const seenAssertions = new SeenAssertionStore(dataSource);
    const federation = new FederationRegistry(connections, pendingLogins, seenAssertions, options);
    const refresher = new MetadataRefresher(
      connections,
      (url) => fetchIdpMetadata(url, { allowPrivateNetwork: false }),
      (connectionId) => federation.forget(connectionId),
      options.events,
      options.logger,
    );
    const administration = new SsoAdministration(new TenantDirectory(dataSource), connections, options.events, {
      actor: { operator: 'SSO_DECLARATIONS_FILE' },
      production: options.production,
    });
    const providers = [
      { provide: IdentityEvents, useValue: options.events },
      { provide: FederationRegistry, useValue: federation },
      { provide: FederatedLogout, useValue: new FederatedLogout(options.secretBox, connections, federation) },
      { provide: PostgresLocalAccountStore, useValue: accounts },
      { provide: PostgresThrottleStore, useValue: throttleStore },
      { provide: TotpAuthenticator, useValue: totp },
      { provide: PasswordHasher, useValue: hasher },
      { provide: LocalSignIn, useValue: localSignIn },
      { provide: SessionStore, useValue: options.sessionStore },
      { provide: TenantDirectory, useValue: new TenantDirectory(dataSource) },
      { provide: UserDirectory, useValue: new UserDirectory(dataSource) },
      { provide: SsoConnectionRepository, useValue: connections },
      { provide: PendingLoginStore, useValue: pendingLogins },
      { provide: SeenAssertionStore, useValue: seenAssertions },
      { provide: SecretBox, useValue: options.secretBox },
      { provide: SsoAdministration, useValue: administration },
    ];
    return {
      module: IdentityModule,
      global: true,
      controllers: [SessionController, LoginController, SsoController, TenantAdministrationController],
      providers: [
        ...providers,
        { provide: APP_GUARD, useClass: AuthenticationGuard },
        {
          provide: IdentityStartup,
          useValue: new IdentityStartup(
            administration,
            refresher,
            options.logger,
            options.declarationsFile,
            new SessionExpirySweeper(options.sessionStore, options.events, options.logger),
          ),
        },
      ],
      exports: providers.map((provider) => provider.provide),
    };
  }
}
