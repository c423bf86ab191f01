import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '@veilig/platform-http';

/**
 * The landing page: server-rendered, its style and script from our own origin only, so it shows
 * the page Content-Security-Policy at work (no inline script or style anywhere).
 */
@Public()
@Controller()
export class HomeController {
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  home(): string {
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
