import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AccessModule } from '@veilig/access';
import { AuditForwarder, AuditHttpModule, AuditWriter } from '@veilig/audit';
import { TenantContextInterceptor, TenantScope, type TenantDatabaseRouter } from '@veilig/tenancy';
import type { AppConfig } from '@veilig/platform-config';
import { IdentityModule, UserDirectory, type SecretBox, type SessionStore } from '@veilig/identity';
import { HttpPlatformModule } from '@veilig/platform-http';
import { SecurityTxtModule, type SigningKey } from '@veilig/platform-security-txt';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { APPLICATION_PERMISSIONS } from './application-parts.js';
import { AuditPageController } from './audit/audit-page.controller.js';
import { IdentityAuditEvents } from './audit/identity-audit-events.js';
import { CasesModule } from './cases/cases.module.js';
import { HealthController } from './health/health.controller.js';
import { HomeController } from './home/home.controller.js';

export interface AppModuleOptions {
  readonly config: AppConfig;
  /** The shared database: tenants, users, sessions, SSO connections, roles. */
  readonly dataSource: DataSource;
  /** Where each tenant's own data and audit trail live: the shared database, or a dedicated one (SE-6.2). */
  readonly tenantDatabases: TenantDatabaseRouter;
  /** Started by the caller after listening; the health endpoint reports its lag. */
  readonly auditForwarder: AuditForwarder;
  readonly secretBox: SecretBox;
  /** SESSION_STORE: sessions in the shared database, or in Redis. */
  readonly sessionStore: SessionStore;
  readonly logger: Logger;
  readonly securityTxtSigningKey: SigningKey | undefined;
  readonly modules: ReadonlyArray<Type | DynamicModule>;
}

/** TenantScope and AuditWriter for every feature module, without each importing the application. */
@Module({})
class TenantDataModule {}

@Module({})
export class AppModule {
  static register(options: AppModuleOptions): DynamicModule {
    const { config } = options;
    // A change and the audit event that records it join one transaction only when both go
    // through the same TenantScope. Tenant data and the audit trail share one scope; role
    // changes go through it too while every tenant is in the shared database. With dedicated
    // databases the role tables stay shared, so their changes get a scope of their own, and
    // their events go to the tenant's trail in a transaction of their own, written just before
    // the change commits (docs/tenancy.md).
    const scope = new TenantScope(options.tenantDatabases);
    const audit = new AuditWriter(scope);
    const controlScope = options.tenantDatabases.hasDedicatedTenants() ? new TenantScope(options.dataSource) : scope;
    const users = new UserDirectory(options.dataSource);
    return {
      module: AppModule,
      imports: [
        {
          module: TenantDataModule,
          global: true,
          providers: [
            { provide: TenantScope, useValue: scope },
            { provide: AuditWriter, useValue: audit },
          ],
          exports: [TenantScope, AuditWriter],
        },
        HttpPlatformModule.forRoot({ allowSameSiteNone: config.http.cookieAllowSameSiteNone }),
        IdentityModule.forRoot({
          dataSource: options.dataSource,
          secretBox: options.secretBox,
          events: new IdentityAuditEvents(audit, users),
          publicOrigin: config.http.publicOrigin,
          production: config.production,
          logger: options.logger,
          declarationsFile: config.ssoDeclarationsFile,
          sessionStore: options.sessionStore,
        }),
        AccessModule.forRoot({ scope: controlScope, audit, people: users, permissions: APPLICATION_PERMISSIONS }),
        AuditHttpModule.forRoot({ writer: audit, database: options.tenantDatabases }),
        CasesModule,
        SecurityTxtModule.forRoot(
          {
            ...config.securityTxt,
            canonical: new URL('/.well-known/security.txt', config.http.publicOrigin).toString(),
          },
          options.securityTxtSigningKey,
        ),
        ...options.modules,
      ],
      controllers: [HomeController, HealthController, AuditPageController],
      providers: [
        { provide: DataSource, useValue: options.dataSource },
        { provide: AuditForwarder, useValue: options.auditForwarder },
        // Every handler runs in the tenant of its session; feature code reaches tenant data only through TenantScope.
        { provide: APP_INTERCEPTOR, useClass: TenantContextInterceptor },
      ],
    };
  }
}
