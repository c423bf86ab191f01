import { Controller, Get, Header, Inject, Redirect } from '@nestjs/common';
import { Public } from '@veilig/platform-http';

export const SECURITY_TXT_BODY = Symbol('SECURITY_TXT_BODY');

/** Both paths of RFC 9116 §3: the well-known location serves, the legacy root path redirects there. */
@Public()
@Controller()
export class SecurityTxtController {
  constructor(@Inject(SECURITY_TXT_BODY) private readonly body: string) {}

  @Get('.well-known/security.txt')
  @Header('content-type', 'text/plain; charset=utf-8')
  @Header('cache-control', 'public, max-age=86400')
  serve(): string {
    return this.body;
  }

  @Get('security.txt')
  @Redirect('/.well-known/security.txt', 301)
  redirect(): void {}
}
