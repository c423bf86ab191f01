import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TenantContextInterceptor, TenantScope } from '@veilig/tenancy';
import type { AppConfig } from '@veilig/platform-config';
import { IdentityModule, type IdentityEvents, type SecretBox } from '@veilig/identity';
import { HttpPlatformModule } from '@veilig/platform-http';
import { SecurityTxtModule, type SigningKey } from '@veilig/platform-security-txt';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { HealthController } from './health/health.controller.js';
import { HomeController } from './home/home.controller.js';

export interface AppModuleOptions {
  readonly config: AppConfig;
  readonly dataSource: DataSource;
  readonly secretBox: SecretBox;
  readonly identityEvents: IdentityEvents;
  readonly logger: Logger;
  readonly securityTxtSigningKey: SigningKey | undefined;
  readonly modules: ReadonlyArray<Type | DynamicModule>;
}

@Module({})
export class AppModule {
  static register(options: AppModuleOptions): DynamicModule {
    const { config } = options;
    return {
      module: AppModule,
      imports: [
        HttpPlatformModule.forRoot({ allowSameSiteNone: config.http.cookieAllowSameSiteNone }),
        IdentityModule.forRoot({
          dataSource: options.dataSource,
          secretBox: options.secretBox,
          events: options.identityEvents,
          publicOrigin: config.http.publicOrigin,
          production: config.production,
          logger: options.logger,
          declarationsFile: config.ssoDeclarationsFile,
        }),
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
        { provide: TenantScope, useValue: new TenantScope(options.dataSource) },
      ],
      exports: [TenantScope],
    };
  }
}
