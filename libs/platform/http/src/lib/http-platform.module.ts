import { type DynamicModule, Global, Module } from '@nestjs/common';
import { CookieWriter } from './cookies.js';

/** Makes the one CookieWriter, configured once, injectable everywhere. */
@Global()
@Module({})
export class HttpPlatformModule {
  static forRoot(options: { readonly allowSameSiteNone: boolean }): DynamicModule {
    return {
      module: HttpPlatformModule,
      providers: [{ provide: CookieWriter, useValue: new CookieWriter(options) }],
      exports: [CookieWriter],
    };
  }
}
