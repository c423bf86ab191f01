import { escapeHtml } from '@veilig/platform-http';

/*
 * Server-rendered sign-in pages. No inline script or style anywhere, so they work under the
 * strict page CSP (TH-7); every interpolated value goes through escapeHtml.
 */

function layout(title: string, body: string, script?: string): string {
  return `<!doctype html>
<html lang="nl">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)} – Veilig</title>
  <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/assets/app.css">
${script ? `  <script src="${script}" defer></script>\n` : ''}</head>
<body>
  <main>
    <h1>${escapeHtml(title)}</h1>
${body}
  </main>
</body>
</html>
`;
}

function errorBlock(error: string | undefined): string {
  return error ? `    <p class="error" role="alert">${escapeHtml(error)}</p>\n` : '';
}

/** One message for every failed sign-in: which step failed is for the audit trail, not the user. */
export const GENERIC_FAILURE = 'Aanmelden is niet gelukt. Controleer uw gegevens en probeer het opnieuw.';

export function discoveryPage(error?: string): string {
  return layout(
    'Aanmelden',
    `${errorBlock(error)}    <form method="post" action="/login">
      <label for="identifier">Organisatie of e-mailadres</label>
      <input id="identifier" name="identifier" autocomplete="username" required maxlength="254">
      <button type="submit">Verder</button>
    </form>`,
  );
}

/** One connection: the browser continues to the IdP by itself (assets/continue.js); the link is the fallback. */
export function continueToIdpPage(connection: { name: string; startUrl: string }): string {
  return layout(
    'U wordt doorgestuurd',
    `    <p>U meldt zich aan bij uw eigen organisatie.</p>
    <p><a id="continue" href="${escapeHtml(connection.startUrl)}">Verder naar aanmelden (${escapeHtml(connection.name)})</a></p>`,
    '/assets/continue.js',
  );
}

export function chooseConnectionPage(connections: ReadonlyArray<{ name: string; startUrl: string }>): string {
  const items = connections.map((connection) => `      <li><a href="${escapeHtml(connection.startUrl)}">${escapeHtml(connection.name)}</a></li>`).join('\n');
  return layout('Kies hoe u zich aanmeldt', `    <ul>\n${items}\n    </ul>`);
}

export function passwordPage(ticket: string, error?: string): string {
  return layout(
    'Aanmelden met wachtwoord',
    `${errorBlock(error)}    <form method="post" action="/login/t/${escapeHtml(ticket)}/password">
      <label for="email">E-mailadres</label>
      <input id="email" name="email" type="email" autocomplete="username" required maxlength="254">
      <label for="password">Wachtwoord</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256">
      <button type="submit">Verder</button>
    </form>`,
  );
}

export function secondFactorPage(error?: string): string {
  return layout(
    'Code uit uw authenticator-app',
    `${errorBlock(error)}    <form method="post" action="/login/second-factor">
      <label for="code">Zescijferige code, of een herstelcode</label>
      <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="32">
      <button type="submit">Aanmelden</button>
    </form>`,
  );
}

/**
 * First sign-in: the user replaces the one-time password the operator handed out with their own,
 * and links an authenticator app, in one step, so no account ever works on a password alone.
 */
export function enrolPage(manualKey: string, error?: string, passwordProblems: readonly string[] = []): string {
  const problems = passwordProblems.length
    ? `    <ul class="error" role="alert">\n${passwordProblems.map((problem) => `      <li>${escapeHtml(problem)}</li>`).join('\n')}\n    </ul>\n`
    : '';
  return layout(
    'Authenticator-app koppelen',
    `${errorBlock(error)}${problems}    <p>Scan de QR-code met uw authenticator-app, of voer de sleutel handmatig in.</p>
    <img src="/login/enrol/qr.svg" alt="QR-code voor uw authenticator-app" width="200" height="200">
    <p>Sleutel: <code id="manual-key">${escapeHtml(manualKey.replace(/(.{4})/g, '$1 ').trim())}</code></p>
    <form method="post" action="/login/enrol">
      <label for="new-password">Kies uw eigen wachtwoord (minstens 12 tekens; een zin van vier woorden werkt goed)</label>
      <input id="new-password" name="newPassword" type="password" autocomplete="new-password" required minlength="12" maxlength="256">
      <label for="code">Code uit de app ter bevestiging</label>
      <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="8">
      <button type="submit">Koppelen</button>
    </form>`,
  );
}

export function recoveryCodesPage(codes: readonly string[]): string {
  const items = codes.map((code) => `      <li><code>${escapeHtml(code)}</code></li>`).join('\n');
  return layout(
    'Uw herstelcodes',
    `    <p>Bewaar deze codes op een veilige plek. Elke code werkt één keer, als u uw telefoon kwijt bent. U ziet ze alleen nu.</p>
    <ol id="recovery-codes">\n${items}\n    </ol>
    <p><a href="/">Verder naar de dienst</a></p>`,
  );
}
