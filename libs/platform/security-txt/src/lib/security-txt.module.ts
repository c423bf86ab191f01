import { type DynamicModule, Module } from '@nestjs/common';
import { SECURITY_TXT_BODY, SecurityTxtController } from './security-txt.controller.js';
import { renderSecurityTxt, signSecurityTxt, type SecurityTxtFields, type SigningKey } from './security-txt.js';

@Module({})
export class SecurityTxtModule {
  /** The file is rendered (and signed) once at start: its content changes only with configuration. */
  static forRoot(fields: SecurityTxtFields, signingKey?: SigningKey): DynamicModule {
    return {
      module: SecurityTxtModule,
      controllers: [SecurityTxtController],
      providers: [
        {
          provide: SECURITY_TXT_BODY,
          useFactory: async () => {
            const text = renderSecurityTxt(fields);
            return signingKey ? signSecurityTxt(text, signingKey) : text;
          },
        },
      ],
    };
  }
}
