import { readFileSync } from 'node:fs';
import { certificateCredentialJwks, DEMO_DIRECTORIES, startDevIdp } from '@veilig/dev-idp';
import { serveBenchmarkTarget } from '../shared/serve-target.js';
import type { DevIdpSettings } from './protocol.js';

/**
 * The kit's development IdP (oidc-provider dressed as Entra ID) in a process and on a core of
 * its own, so its token endpoint does not compete with the relying party being measured.
 */
serveBenchmarkTarget<DevIdpSettings>(async (settings) => {
  const idp = await startDevIdp({
    host: '127.0.0.1',
    port: 0,
    tls: { certPem: readFileSync(settings.certFile, 'utf8'), keyPem: readFileSync(settings.keyFile, 'utf8') },
    production: false,
    directories: DEMO_DIRECTORIES,
    oidcClients: [
      {
        tenantId: settings.tenantId,
        clientId: settings.clientId,
        jwks: certificateCredentialJwks(settings.credentialCertificatePem),
        redirectUris: [settings.redirectUri],
        postLogoutRedirectUris: [settings.postLogoutRedirectUri],
      },
    ],
    samlServiceProviders: [],
  });
  return { origin: idp.origin, close: () => idp.close() };
});
