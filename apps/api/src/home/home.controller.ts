import { Controller, Get, Header, Req } from '@nestjs/common';
import { SessionStore, sessionTokenFrom } from '@veilig/identity';
import { escapeHtml, Public } from '@veilig/platform-http';
import type { FastifyRequest } from 'fastify';

/**
 * The landing page: server-rendered, its style and script from our own origin only, so it shows
 * the page Content-Security-Policy at work (no inline script or style anywhere). A signed-in
 * visitor sees who they are and what their roles let them open; the page knows that from the
 * session itself, so a signed-out visitor's browser never asks an API that would refuse it.
 */
@Public()
@Controller()
export class HomeController {
  constructor(private readonly sessions: SessionStore) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  async home(@Req() request: FastifyRequest): Promise<string> {
    const token = sessionTokenFrom(request.headers.cookie);
    const session = token ? await this.sessions.resolve(token, request.ip) : undefined;
    const account = session
      ? `<section id="account">
      <p>Aangemeld als <strong>${escapeHtml(session.user.displayName ?? session.user.email ?? session.userId)}</strong> · rollen: <span id="account-roles">…</span></p>
      <ul>
        <li data-permission="audit:read" hidden><a href="/audit">Auditlog</a></li>
        <li data-permission="access-review:read" hidden><a href="/api/access/review?format=csv">Toegangsoverzicht (CSV)</a></li>
      </ul>
      <form method="post" action="/logout"><button type="submit">Afmelden</button></form>
    </section>`
      : '<p><a href="/login">Aanmelden</a></p>';
    return `<!doctype html>
<html lang="nl">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Veilig</title>
  <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/assets/app.css">
  <script src="/assets/app.js" defer></script>
</head>
<body>
  <main>
    <h1>Veilig</h1>
    <p id="status">De dienst draait.</p>
    ${account}
    <ul>
      <li><a href="/.well-known/security.txt">security.txt</a></li>
      <li><a href="/health/ready">Gereedheid</a></li>
    </ul>
  </main>
</body>
</html>
`;
  }
}

