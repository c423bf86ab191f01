import { Controller, Get, Header } from '@nestjs/common';
import { RequirePermissions } from '@veilig/platform-http';

/**
 * The audit log in the browser for the tenant's auditor (SE-3.2): a server-rendered shell whose
 * script (own origin, page CSP) reads /api/audit and renders every value as text, never as markup,
 * so nothing an attacker placed in an event can run here.
 */
@Controller('audit')
export class AuditPageController {
  @Get()
  @RequirePermissions('audit:read')
  @Header('content-type', 'text/html; charset=utf-8')
  page(): string {
    return `<!doctype html>
<html lang="nl">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Auditlog · Veilig</title>
  <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/assets/app.css">
  <script src="/assets/audit.js" defer></script>
</head>
<body>
  <main class="wide">
    <p><a href="/">Veilig</a></p>
    <h1>Auditlog</h1>
    <form id="filter">
      <label>Actie <input name="action" placeholder="auth. of data.viewed"></label>
      <label>Gebruiker <input name="actor" placeholder="e-mail of id"></label>
      <label>Uitkomst <select name="outcome"><option value="">alle</option><option>success</option><option>failure</option><option>denied</option></select></label>
      <button type="submit">Zoeken</button>
    </form>
    <p id="chain"></p>
    <table id="events">
      <thead><tr><th>Tijd (UTC)</th><th>Actie</th><th>Uitkomst</th><th>Wie</th><th>Apparaat</th><th>Doel</th><th>Reden</th><th>#</th></tr></thead>
      <tbody></tbody>
    </table>
    <p><button id="more" type="button" hidden>Meer</button></p>
    <p>Exporteren: <a id="export-csv" href="/api/audit/export?format=csv">CSV</a> · <a id="export-jsonl" href="/api/audit/export?format=jsonl">JSON Lines</a></p>
  </main>
</body>
</html>
`;
  }
}
