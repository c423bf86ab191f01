import { readFileSync } from 'node:fs';
import { ensureDevelopmentCertificate } from '@veilig/platform-http';
import { DEMO_DIRECTORIES } from './demo-directories.js';
import { DevIdpRefusedError } from './dev-idp-refused-error.js';

const HOST = '127.0.0.1';
const PORT = 3444;

/**
 * Starts the development IdP on its own, with the demo tenants and the kit's development
 * certificate. No application is registered: `npm start` registers the kit itself through
 * `startDevIdp`; this is for looking at the tenants, their metadata and discovery documents.
 */
async function main(): Promise<void> {
  // Before anything is written or loaded: in production neither a certificate is made nor the IdP's code imported.
  const production = process.env['NODE_ENV'] === 'production';
  if (production) throw new DevIdpRefusedError();
  const { startDevIdp } = await import('./dev-idp.js');
  const certificate = await ensureDevelopmentCertificate(process.env['DATA_DIR'] ?? '.data');
  const idp = await startDevIdp({
    host: HOST,
    port: PORT,
    tls: { certPem: readFileSync(certificate.certFile, 'utf8'), keyPem: readFileSync(certificate.keyFile, 'utf8') },
    production,
    directories: DEMO_DIRECTORIES,
    oidcClients: [],
    samlServiceProviders: [],
  });
  process.stderr.write(
    [
      '',
      `dev-idp: serving ${idp.origin} (development only, never for production)`,
      ...DEMO_DIRECTORIES.flatMap((directory) => [
        `dev-idp: ${directory.name}`,
        `dev-idp:   OpenID Connect issuer  ${idp.oidcIssuer(directory.tenantId)}`,
        `dev-idp:   SAML metadata          ${idp.samlMetadataUrl(directory.tenantId)}`,
      ]),
      'dev-idp: press Ctrl-C to stop',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void idp.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof DevIdpRefusedError) process.stderr.write(`dev-idp: ${error.message}\n`);
  else process.stderr.write(`dev-idp: cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
