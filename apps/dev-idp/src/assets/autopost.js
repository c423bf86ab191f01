// Submits the SAML HTTP-POST binding form on load; its button does the same when scripts are off.
document.querySelector('form[data-autopost]')?.submit();
