import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { SsoConnectionRepository } from './connections/sso-connection-repository.js';
import { TenantDirectory } from './directory/tenant-directory.js';
import { UserDirectory } from './directory/user-directory.js';
import { AuthenticationGuard } from './http/authentication.guard.js';
import { SessionController } from './http/session.controller.js';
import { SecretBox } from './secret-box.js';
import { DEFAULT_SESSION_POLICY, SessionStore, type SessionPolicy } from './sessions/session-store.js';
import { PendingLoginStore, SeenAssertionStore } from './stores/pending-login-store.js';

export interface IdentityModuleOptions {
  readonly dataSource: DataSource;
  readonly secretBox: SecretBox;
  readonly sessionPolicy?: SessionPolicy;
}

/** Authentication for the whole application: the global guard and the stores behind it. */
@Module({})
export class IdentityModule {
  static forRoot(options: IdentityModuleOptions): DynamicModule {
    const { dataSource } = options;
    const providers = [
      { provide: SessionStore, useValue: new SessionStore(dataSource, options.sessionPolicy ?? DEFAULT_SESSION_POLICY) },
      { provide: TenantDirectory, useValue: new TenantDirectory(dataSource) },
      { provide: UserDirectory, useValue: new UserDirectory(dataSource) },
      { provide: SsoConnectionRepository, useValue: new SsoConnectionRepository(dataSource, options.secretBox) },
      { provide: PendingLoginStore, useValue: new PendingLoginStore(dataSource) },
      { provide: SeenAssertionStore, useValue: new SeenAssertionStore(dataSource) },
      { provide: SecretBox, useValue: options.secretBox },
    ];
    return {
      module: IdentityModule,
      global: true,
      controllers: [SessionController],
      providers: [...providers, { provide: APP_GUARD, useClass: AuthenticationGuard }],
      exports: providers.map((provider) => provider.provide),
    };
  }
}
