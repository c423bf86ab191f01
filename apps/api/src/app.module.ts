import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AccessModule } from '@veilig/access';
import { AuditWriter } from '@veilig/audit';
import { TenantContextInterceptor, TenantScope } from '@veilig/tenancy';
import type { AppConfig } from '@veilig/platform-config';
import { IdentityModule, UserDirectory, type SecretBox } from '@veilig/identity';
import { HttpPlatformModule } from '@veilig/platform-http';
import { SecurityTxtModule, type SigningKey } from '@veilig/platform-security-txt';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { APPLICATION_PERMISSIONS } from './application-parts.js';
import { IdentityAuditEvents } from './audit/identity-audit-events.js';
import { CasesModule } from './cases/cases.module.js';
import { HealthController } from './health/health.controller.js';
import { HomeController } from './home/home.controller.js';

export interface AppModuleOptions {
  readonly config: AppConfig;
  readonly dataSource: DataSource;
  readonly secretBox: SecretBox;
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
    // One TenantScope for the whole application: a change and the audit event that records it
    // join the same transaction only when both go through the same scope.
    const scope = new TenantScope(options.dataSource);
    const audit = new AuditWriter(scope);
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
        }),
        AccessModule.forRoot({ scope, audit, people: users, permissions: APPLICATION_PERMISSIONS }),
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
      controllers: [HomeController, HealthController],
      providers: [
        { provide: DataSource, useValue: options.dataSource },
        // Every handler runs in the tenant of its session; feature code reaches tenant data only through TenantScope.
        { provide: APP_INTERCEPTOR, useClass: TenantContextInterceptor },
      ],
    };
  }
}
