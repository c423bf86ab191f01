// Marks the page as scripted: proof that script from our own origin runs under the page CSP.
document.getElementById('status')?.setAttribute('data-checked', 'true');
