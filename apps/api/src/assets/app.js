// Marks the page as scripted: proof that script from our own origin runs under the page CSP.
document.getElementById('status')?.setAttribute('data-checked', 'true');

// Signed in (the page renders #account only then): the roles, and links to what they permit. Text only.
async function showAccess() {
  const response = await fetch('/api/access/me', { credentials: 'same-origin' });
  if (!response.ok) return;
  const { roles, permissions } = await response.json();
  document.getElementById('account-roles').textContent = roles.length ? roles.join(', ') : 'geen (vraag een beheerder om een rol)';
  for (const item of document.querySelectorAll('[data-permission]')) item.hidden = !permissions.includes(item.dataset.permission);
}
if (document.getElementById('account')) void showAccess();
