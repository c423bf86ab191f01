// Follows the sign-in link at once. A script, not a redirect: browsers apply the page's form-action
// CSP to every redirect after a form post, and the IdP is another origin.
const link = document.getElementById('continue');
if (link instanceof HTMLAnchorElement) window.location.assign(link.href);
