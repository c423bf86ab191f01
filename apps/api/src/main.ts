import { ConfigError, loadConfig, type AppConfig } from '@veilig/platform-config';
import { CertificateLoadError } from '@veilig/platform-http';
import { DatabaseRoleError } from '@veilig/platform-database';
import { startApi } from './start-api.js';

/** Errors an operator can fix from the message alone: printed plainly, without a stack trace. */
const OPERATOR_ERRORS = [ConfigError, CertificateLoadError, DatabaseRoleError];

async function main(): Promise<void> {
  const config: AppConfig = loadConfig();
  const api = await startApi(config, { onProgress: (message) => process.stderr.write(`veilig: ${message}\n`) });
  process.stderr.write(
    [
      '',
      `veilig: serving ${api.url}`,
      ...(api.redirectUrl ? [`veilig: ${api.redirectUrl} redirects to HTTPS`] : []),
      `veilig: security.txt at ${api.url}/.well-known/security.txt`,
      'veilig: press Ctrl-C to stop',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`veilig: ${signal} received, shutting down\n`);
    void api.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (OPERATOR_ERRORS.some((type) => error instanceof type)) {
    process.stderr.write(`veilig: cannot start.\n${(error as Error).message}\n`);
  } else {
    process.stderr.write(`veilig: cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
