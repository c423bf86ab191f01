import { ConfigError, loadConfig, type AppConfig } from '@veilig/platform-config';
import { DatabaseRoleError } from '@veilig/platform-database';
import { CertificateLoadError } from '@veilig/platform-http';
import { startApi, type RunningApi } from './start-api.js';

/** Errors an operator can fix from the message alone: printed plainly, without a stack trace. */
const OPERATOR_ERRORS = [ConfigError, CertificateLoadError, DatabaseRoleError];

export type AfterStart = (api: RunningApi, config: AppConfig) => Promise<{ lines: string[]; close(): Promise<void> }>;

/**
 * Runs the service as a process: start, print where it serves, stop cleanly on Ctrl-C or
 * SIGTERM, exit 1 with a readable message when it cannot start. `afterStart` lets the development
 * launcher add the development IdP and demo tenants without the service knowing about them.
 */
export function serve(afterStart?: AfterStart): void {
  run(afterStart).catch((error: unknown) => {
    if (OPERATOR_ERRORS.some((type) => error instanceof type)) {
      process.stderr.write(`veilig: cannot start.\n${(error as Error).message}\n`);
    } else {
      process.stderr.write(`veilig: cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exit(1);
  });
}

async function run(afterStart: AfterStart | undefined): Promise<void> {
  const config = loadConfig();
  const progress = (message: string) => process.stderr.write(`veilig: ${message}\n`);
  const api = await startApi(config, { onProgress: progress });
  let extra: Awaited<ReturnType<AfterStart>> | undefined;
  try {
    extra = await afterStart?.(api, config);
  } catch (error) {
    await api.close();
    throw error;
  }
  process.stderr.write(
    [
      '',
      `veilig: serving ${api.url}`,
      ...(api.redirectUrl ? [`veilig: ${api.redirectUrl} redirects to HTTPS`] : []),
      `veilig: security.txt at ${api.url}/.well-known/security.txt`,
      ...(extra?.lines ?? []).map((line) => `veilig: ${line}`),
      'veilig: press Ctrl-C to stop',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`veilig: ${signal} received, shutting down\n`);
    void (async () => {
      await extra?.close();
      await api.close();
      process.exit(0);
    })();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
