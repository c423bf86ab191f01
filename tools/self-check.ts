/**
 * Black-box self-check of a deployment: grades its security headers (securityheaders.com method)
 * and its TLS (SSL Labs rating guide, simplified) offline, over real sockets, for intake sessions
 * where the public services cannot reach the service (TH-21). Method: docs/self-check.md.
 *
 * Exit code: 0 when both grades are A or A+, 1 when either is lower, 2 when the check cannot run.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { renderReport, runSelfCheck, SelfCheckError } from '@veilig/compliance';

const USAGE = `Usage: npm run self-check -- https://host[:port][/path] [options]

Options:
  --insecure         accept an untrusted or misnamed certificate (development only); the would-be grade counts
  --ca FILE          PEM file with the CA certificate(s) to trust instead of the Mozilla root store
  --http-port PORT   plain-HTTP port whose redirect to HTTPS is checked (default 80 for an origin on 443)
  --json             print the report as JSON
  --help             show this text
`;

class UsageError extends Error {}

interface CliOptions {
  readonly url: string;
  readonly insecure: boolean;
  readonly json: boolean;
  readonly ca: string | undefined;
  readonly httpPort: number | undefined;
}

function parseCommandLine(args: readonly string[]): CliOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        insecure: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        ca: { type: 'string' },
        'http-port': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'no URL given' : `one URL expected, got ${positionals.length}`);
  return {
    url: positionals[0] ?? '',
    insecure: values.insecure,
    json: values.json,
    ca: values.ca === undefined ? undefined : readCaFile(values.ca),
    httpPort: values['http-port'] === undefined ? undefined : parsePort(values['http-port']),
  };
}

function readCaFile(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new UsageError(`cannot read the --ca file ${file}: ${reason}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`the --ca file ${file} holds no PEM certificate`);
  return pem;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65_535) throw new UsageError(`--http-port must be a port number (1-65535), got "${value}"`);
  return port;
}

async function main(): Promise<number> {
  const options = parseCommandLine(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const report = await runSelfCheck({
    url: options.url,
    ca: options.ca,
    acceptUntrusted: options.insecure,
    httpPort: options.httpPort,
    // Progress goes to stderr so that --json output on stdout stays machine-readable.
    onProgress: (message) => process.stderr.write(`self-check: ${message}\n`),
  });
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
  return report.passed ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) process.stderr.write(`self-check: ${error.message}\n\n${USAGE}`);
    else if (error instanceof SelfCheckError) process.stderr.write(`self-check: ${error.message}\n`);
    else process.stderr.write(`self-check: the check could not complete: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
