import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Finding, SelfCheckReport } from '@veilig/compliance';
import { issueCertificate } from '@veilig/platform-pki';
import { freePort } from '@veilig/platform-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/test-api.js';

/*
 * The self-check as a security officer runs it: the CLI as a separate process, against real
 * listeners, reading only what goes over the sockets.
 */

const REPO_ROOT = resolve(import.meta.dirname, '../..');

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(args: readonly string[]): Promise<CliRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', '@swc-node/register/esm-register', 'tools/self-check.ts', ...args],
      { cwd: REPO_ROOT, timeout: 60_000 },
      (error, stdout, stderr) => done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

function allFindings(report: SelfCheckReport): Finding[] {
  return [...report.headers.findings, report.redirect, ...report.tls.findings];
}

describe('npm run self-check against the running service', () => {
  let testApi: TestApi;
  let folder: string;
  let caFile: string;

  beforeAll(async () => {
    // The public origin names the real port, so the redirect can be checked to point exactly there.
    const httpsPort = await freePort();
    testApi = await startTestApi({ HTTPS_PORT: String(httpsPort), PUBLIC_ORIGIN: `https://localhost:${httpsPort}` });
    folder = mkdtempSync(join(tmpdir(), 'veilig-self-check-'));
    caFile = join(folder, 'served-ca.pem');
    writeFileSync(caFile, testApi.servedCertificatePem());
  });

  afterAll(async () => {
    await testApi?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('[SV-3] [TH-18] [TH-19] [TH-21] the running service grades A or better, with no FAIL finding and exit code 0', async () => {
    const run = await runCli([`https://localhost:${testApi.port()}`, '--ca', caFile, '--http-port', String(testApi.redirectPort()), '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as SelfCheckReport;
    expect(report.headers.grade).toBe('A+');
    expect(['A+', 'A']).toContain(report.tls.grade);
    expect(allFindings(report).filter((finding) => finding.status === 'FAIL')).toEqual([]);
    expect(report.redirect.status).toBe('PASS');
    expect(report.passed).toBe(true);
    expect(run.stderr).toMatch(/^self-check: TLS 1\.0: refused$/m);
  });

  it('[SV-3] [TH-21] prints one PASS/WARN/FAIL line per finding with requirement IDs, then both grades', async () => {
    const run = await runCli([`https://localhost:${testApi.port()}`, '--ca', caFile, '--http-port', String(testApi.redirectPort())]);
    expect(run.code, run.stderr).toBe(0);
    const findingLines = run.stdout.split('\n').filter((line) => /^ {2}(PASS|WARN|FAIL) /.test(line));
    expect(findingLines.length).toBeGreaterThan(15);
    for (const line of findingLines) expect(line).toMatch(/^ {2}(PASS|WARN|FAIL) \[(SV|TH)-\d+(, (SV|TH)-\d+)*\] \S/);
    expect(run.stdout).toMatch(/^Headers grade: A\+ {2}\[SV-3, TH-19\]$/m);
    expect(run.stdout).toMatch(/^TLS grade: {5}A\+? {1,2}\[SV-3, TH-18\]$/m);
    expect(run.stdout).toContain('Verdict: PASS');
  });

  it('[TH-3] [TH-18] grades the self-signed certificate T without --ca, exit code 1, and names the grade it would have', async () => {
    const run = await runCli([`https://localhost:${testApi.port()}`, '--json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as SelfCheckReport;
    expect(report.tls.grade).toBe('T');
    expect(['A+', 'A']).toContain(report.tls.gradeIgnoringTrust);
  });
});

describe('npm run self-check against a bare Node HTTPS server', () => {
  let server: Server;
  let folder: string;
  let caFile: string;

  beforeAll(async () => {
    // An RSA certificate, so Node's default cipher list can offer its static-RSA (no forward secrecy) suites.
    const certificate = await issueCertificate({ subject: 'CN=localhost', dnsNames: ['localhost'], key: 'rsa-2048' });
    server = createServer({ cert: certificate.certPem, key: certificate.keyPem }, (_request, response) => response.end('hello'));
    await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
    folder = mkdtempSync(join(tmpdir(), 'veilig-self-check-'));
    caFile = join(folder, 'ca.pem');
    writeFileSync(caFile, certificate.certPem);
  });

  afterAll(async () => {
    await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    rmSync(folder, { recursive: true, force: true });
  });

  it('[SV-3] [TH-18] [TH-19] [TH-21] grades default Node TLS without security headers F for headers and B for TLS, exit code 1', async () => {
    const port = (server.address() as AddressInfo).port;
    const run = await runCli([`https://localhost:${port}`, '--ca', caFile, '--json']);
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as SelfCheckReport;
    expect(report.headers.grade).toBe('F');
    expect(report.headers.missing).toHaveLength(6);
    expect(report.tls.grade).toBe('B');
    const failures = allFindings(report)
      .filter((finding) => finding.status === 'FAIL')
      .map((finding) => finding.message);
    expect(failures).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Content-Security-Policy missing'),
        expect.stringContaining('Strict-Transport-Security missing'),
        expect.stringContaining('X-XSS-Protection missing'),
        expect.stringMatching(/^no forward secrecy with AES128-GCM-SHA256/),
      ]),
    );
    const warnings = allFindings(report).filter((finding) => finding.status === 'WARN').map((finding) => finding.message);
    expect(warnings).toEqual(
      expect.arrayContaining([expect.stringContaining('CBC suites accepted'), expect.stringContaining('renegotiation accepted')]),
    );
  });
});

describe('npm run self-check usage errors', () => {
  it('[TH-21] says plainly that a closed port cannot be reached, exit code 2, no stack trace', async () => {
    const closedPort = await freePort();
    const run = await runCli([`https://localhost:${closedPort}`]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(`self-check: cannot reach https://localhost:${closedPort}: connection refused`);
    expect(run.stdout).toBe('');
  });

  it('[TH-21] rejects a plain-HTTP URL and an unknown option with exit code 2', async () => {
    const plain = await runCli(['http://localhost:3080']);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('not an https URL');
    const unknown = await runCli(['https://localhost:3443', '--grade-me-kindly']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Usage: npm run self-check');
    expect(`${plain.stderr}${unknown.stderr}`).not.toMatch(/^\s+at /m);
  });
});
