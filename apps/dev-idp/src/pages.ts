import type { DemoDirectory, DemoUser } from './demo-directories.js';

/**
 * The dev IdP's server-rendered pages. Every page says in Dutch and English that this is not a
 * real identity provider, and none carries inline script or style: the page CSP allows only
 * same-origin files from /assets.
 */

export const STYLESHEET_PATH = '/assets/dev-idp.css';
export const AUTOPOST_SCRIPT_PATH = '/assets/autopost.js';

export interface UserPickerPage {
  readonly directory: DemoDirectory;
  /** Which application asks: the OIDC client id or the SAML entity id. */
  readonly application: string;
  readonly formAction: string;
  /** Ties the form to the sign-in it answers; an attacker's page cannot know it. */
  readonly interactionId: string;
}

export function userPickerPage({ directory, application, formAction, interactionId }: UserPickerPage): string {
  const buttons = directory.users.map((user) => `<li>${userButton(user)}</li>`).join('');
  return page(
    `Aanmelden bij ${directory.name}`,
    `<h1>Aanmelden bij ${html(directory.name)} <span lang="en">Sign in to ${html(directory.name)}</span></h1>
<p>Toepassing <span lang="en">Application</span>: <code>${html(application)}</code></p>
<p>Kies een demogebruiker. <span lang="en">Choose a demo user.</span></p>
<form method="post" action="${html(formAction)}">
<input type="hidden" name="interaction" value="${html(interactionId)}">
<ul class="users">${buttons}</ul>
</form>`,
  );
}

function userButton(user: DemoUser): string {
  const details = [
    user.email,
    user.department ?? 'geen afdeling / no department',
    ...(user.roles?.length ? [`rollen / roles: ${user.roles.join(', ')}`] : []),
  ];
  return `<button type="submit" name="oid" value="${html(user.oid)}"><strong>${html(user.displayName)}</strong>${details
    .map((detail) => `<span>${html(detail)}</span>`)
    .join('')}</button>`;
}

/** The HTTP-POST binding: a form the external script submits, and a button for when it cannot. */
export function samlPostPage(destination: string, fields: Readonly<Record<string, string>>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${html(name)}" value="${html(value)}">`)
    .join('');
  return page(
    'Doorgaan naar de toepassing',
    `<form method="post" action="${html(destination)}" data-autopost>${inputs}
<p>U wordt teruggestuurd naar de toepassing. <span lang="en">You are being sent back to the application.</span></p>
<button type="submit">Doorgaan <span lang="en">Continue</span></button>
</form>`,
    `<script src="${AUTOPOST_SCRIPT_PATH}" defer></script>`,
  );
}

export function logoutConfirmationPage(directoryName: string, providerForm: string, formId: string): string {
  return page(
    'Afmelden',
    `<h1>Afmelden bij ${html(directoryName)} <span lang="en">Sign out of ${html(directoryName)}</span></h1>
${providerForm}
<button type="submit" form="${html(formId)}" name="logout" value="yes">Afmelden <span lang="en">Sign out</span></button>`,
  );
}

export function signedOutPage(directoryName: string): string {
  return page(
    'Afgemeld',
    `<h1>Afgemeld bij ${html(directoryName)} <span lang="en">Signed out of ${html(directoryName)}</span></h1>`,
  );
}

export function errorPage(title: string, detail: string): string {
  return page(title, `<h1>${html(title)}</h1>\n<p class="error">${html(detail)}</p>`);
}

export interface TenantOverview {
  readonly directory: DemoDirectory;
  readonly issuer: string;
  readonly samlMetadataUrl: string;
}

export function overviewPage(entries: readonly TenantOverview[]): string {
  const tenants = entries
    .map(
      ({ directory, issuer, samlMetadataUrl }) => `<section>
<h2>${html(directory.name)}</h2>
<dl>
<dt>Tenant id (tid)</dt><dd><code>${html(directory.tenantId)}</code></dd>
<dt>OpenID Connect issuer</dt><dd><code>${html(issuer)}</code></dd>
<dt>SAML federation metadata</dt><dd><a href="${html(samlMetadataUrl)}">${html(samlMetadataUrl)}</a></dd>
<dt>Gebruikers <span lang="en">Users</span></dt><dd>${directory.users.map((user) => html(user.displayName)).join(', ')}</dd>
</dl>
</section>`,
    )
    .join('\n');
  return page('Ontwikkel-IdP', `<h1>Ontwikkel-IdP <span lang="en">Development IdP</span></h1>\n${tenants}`);
}

function page(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${html(title)} — Ontwikkel-IdP</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
${head}
</head>
<body>
<p class="banner" role="note">Ontwikkel-IdP — niet voor productie <span lang="en">Development IdP — not for production</span></p>
<main>
${body}
</main>
</body>
</html>
`;
}

/** Escapes text for element content and double-quoted attribute values. */
export function html(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
