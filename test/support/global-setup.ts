import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '@veilig/platform-database';
import { freePort } from '@veilig/platform-testing';

const REDIS_READY_TIMEOUT_MS = 10_000;
const REDIS_NEEDED = 'The session store tests need Redis: install redis-server (e.g. `apt-get install redis-server`) or set TEST_REDIS_URL=redis://host:port';

/**
 * One PostgreSQL server and one Redis for the whole run: the machine's own when TEST_DATABASE_URL
 * and TEST_REDIS_URL are set, otherwise throw-away ones, so the suite also passes where none runs.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stopPostgres = await providePostgres(project);
  try {
    const stopRedis = await provideRedis(project);
    return async () => {
      await stopRedis();
      await stopPostgres();
    };
  } catch (error) {
    await stopPostgres();
    throw error;
  }
}

/** The machine's PostgreSQL, or an embedded one in a throw-away folder. */
async function providePostgres(project: TestProject): Promise<() => Promise<void>> {
  const configured = process.env['TEST_DATABASE_URL'];
  if (configured) {
    project.provide('adminDatabaseUrl', configured);
    return async () => undefined;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'veilig-test-pg-'));
  const embedded = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    logger: pino({ level: 'silent' }),
    persistent: false,
  });
  project.provide('adminDatabaseUrl', embedded.url);
  return async () => {
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}

/** The machine's Redis, or a redis-server of this run that keeps nothing on disk. */
async function provideRedis(project: TestProject): Promise<() => Promise<void>> {
  const configured = process.env['TEST_REDIS_URL'];
  if (configured) {
    project.provide('redisUrl', configured);
    return async () => undefined;
  }
  const port = await freePort();
  const server = await startRedisServer(port);
  project.provide('redisUrl', `redis://127.0.0.1:${port}`);
  return () => stopProcess(server);
}

function startRedisServer(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const fail = (reason: string) => {
      clearTimeout(timer);
      server.kill();
      reject(new Error(`${REDIS_NEEDED}. ${reason}`));
    };
    const timer = setTimeout(() => fail(`redis-server was not ready after ${REDIS_READY_TIMEOUT_MS / 1000} s: ${output.trim()}`), REDIS_READY_TIMEOUT_MS);
    server.once('error', (error) => fail(`Could not start redis-server: ${error.message}`));
    server.once('exit', (code) => fail(`redis-server stopped (exit code ${code}): ${output.trim()}`));
    server.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    server.stdout.on('data', function untilReady(chunk: Buffer) {
      output += chunk.toString('utf8');
      if (!output.includes('Ready to accept connections')) return;
      clearTimeout(timer);
      server.removeAllListeners('exit');
      // Keep reading what it logs, so a full pipe never blocks it.
      server.stdout.off('data', untilReady).resume();
      resolve(server);
    });
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
