import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@veilig/platform-testing';
import { send } from '../support/http-client.js';
import { createTestDatabase, type TestDatabase } from '@veilig/platform-testing';

const REPO_ROOT = resolve(import.meta.dirname, '../..');

interface Launched {
  readonly exit: Promise<{ code: number | null; stderr: string; stdout: string }>;
  readonly child: ReturnType<typeof spawn>;
  waitForStderr(pattern: RegExp): Promise<void>;
}

/** Starts the kit exactly as `npm start` does, as a separate process. */
function launch(env: Record<string, string>): Launched {
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', 'apps/api/src/main.ts'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const waiter of waiters.filter((w) => w.pattern.test(stderr))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  const exit = new Promise<{ code: number | null; stderr: string; stdout: string }>((done) =>
    child.on('exit', (code) => done({ code, stderr, stdout })),
  );
  return {
    child,
    exit,
    waitForStderr: (pattern) =>
      pattern.test(stderr)
        ? Promise.resolve()
        : new Promise<void>((resolveWait, reject) => {
            waiters.push({ pattern, resolve: resolveWait });
            void exit.then(({ code }) => reject(new Error(`exited with ${code} before ${pattern}:\n${stderr}`)));
          }),
  };
}

describe('the kit as a process', () => {
  it('[SE-6.3] [SE-9.1] refuses to start in production on insecure settings, listing every problem, exit code 1', async () => {
    const { exit } = launch({ NODE_ENV: 'production', TLS_MODE: 'offloaded', SESSION_SECRET: 'changeme' });
    const { code, stderr } = await exit;
    expect(code).toBe(1);
    expect(stderr).toContain('Configuration is not valid:');
    for (const variable of ['TRUST_PROXY', 'SECURITY_CONTACT', 'SECURITY_TXT_EXPIRES', 'SESSION_SECRET', 'DATABASE_URL', 'PUBLIC_ORIGIN']) {
      expect(stderr).toMatch(new RegExp(`^ {2}- ${variable}: `, 'm'));
    }
    expect(stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  describe('started with a database', () => {
    let database: TestDatabase;
    let dataDir: string;

    beforeAll(async () => {
      database = await createTestDatabase();
      dataDir = mkdtempSync(join(tmpdir(), 'veilig-process-'));
    });
    afterAll(async () => {
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('[TH-1] serves HTTPS and the redirect listener, prints its URLs and stops cleanly on Ctrl-C', async () => {
      const [httpsPort, httpPort] = [await freePort(), await freePort()];
      const kit = launch({
        DATABASE_URL: database.migrationUrl,
        DATABASE_APP_ROLE: database.appRole,
        DATA_DIR: dataDir,
        HTTPS_PORT: String(httpsPort),
        HTTP_PORT: String(httpPort),
        LOG_LEVEL: 'warn',
      });
      await kit.waitForStderr(/press Ctrl-C to stop/);
      const live = await send('https', httpsPort, { path: '/health/live', ca: undefined, headers: {} }).catch(() => undefined);
      expect(live, 'the development certificate is not trusted by a default client').toBeUndefined();
      const redirect = await send('http', httpPort, { path: '/x', host: 'localhost' });
      expect(redirect.headers['location']).toBe(`https://localhost:${httpsPort}/x`);

      kit.child.kill('SIGINT');
      const { code, stderr: output } = await kit.exit;
      expect(output).toContain(`serving https://localhost:${httpsPort}`);
      expect(output).toContain(`http://localhost:${httpPort} redirects to HTTPS`);
      expect(output).toContain('SIGINT received, shutting down');
      expect(code).toBe(0);
      await expect(send('http', httpPort, { path: '/' })).rejects.toThrow(/ECONNREFUSED/);
    }, 60_000);
  });
});
