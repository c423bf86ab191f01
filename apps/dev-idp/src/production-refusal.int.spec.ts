import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { issueCertificate } from '@veilig/platform-pki';
import { DEMO_DIRECTORIES, DevIdpRefusedError, startDevIdp, type DevIdpOptions } from './index.js';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');

async function options(overrides: Partial<DevIdpOptions>): Promise<DevIdpOptions> {
  const tls = await issueCertificate({ subject: 'CN=localhost', ipAddresses: ['127.0.0.1'] });
  return { host: '127.0.0.1', port: 0, tls, production: false, directories: DEMO_DIRECTORIES, oidcClients: [], samlServiceProviders: [], ...overrides };
}

/** Whether nothing listens on the port: binding it succeeds. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.once('error', () => resolvePort(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolvePort(true)));
  });
}

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const address = server.address();
  await new Promise((closed) => server.close(closed));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('the dev IdP in production', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('[SE-7.2] refuses to start in production', async () => {
    const port = await unusedPort();

    const refusal = startDevIdp(await options({ port, production: true }));
    await expect(refusal).rejects.toThrow(DevIdpRefusedError);
    await expect(refusal).rejects.toThrow('the development IdP never runs in production');
    expect(await portIsFree(port)).toBe(true);
  });

  it('[SE-7.2] refuses to start under NODE_ENV=production, whatever the caller says', async () => {
    vi.stubEnv('NODE_ENV', 'production');

    await expect(startDevIdp(await options({ production: false }))).rejects.toThrow(DevIdpRefusedError);
  });

  it('[SE-7.2] starts outside production (control for the refusals above)', async () => {
    const idp = await startDevIdp(await options({}));
    await idp.close();
    expect(idp.origin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('[SE-7.2] the standalone dev IdP exits 1 with a one-line message under NODE_ENV=production, and writes nothing', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'veilig-dev-idp-')), 'data');
    try {
      const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', 'apps/dev-idp/src/main.ts'], {
        cwd: REPO_ROOT,
        env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', NODE_ENV: 'production', DATA_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((exited) => child.on('exit', exited));

      expect(code).toBe(1);
      expect(stderr).toBe('dev-idp: the development IdP never runs in production\n');
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      rmSync(resolve(dataDir, '..'), { recursive: true, force: true });
    }
  }, 60_000);

  it('[SE-7.2] refuses registrations for a tenant it does not have, and a tenant id that is not a GUID', async () => {
    await expect(
      startDevIdp(await options({ oidcClients: [{ tenantId: 'c0ffee00-0000-4000-8000-000000000000', clientId: 'x', redirectUris: ['https://a.test/cb'], postLogoutRedirectUris: [], clientSecret: 's' }] })),
    ).rejects.toThrow(/not a directory of the development IdP/);
    await expect(startDevIdp(await options({ directories: [{ tenantId: 'Gemeente', name: 'Gemeente', users: [] }] }))).rejects.toThrow(/lower-case GUID/);
  });
});
