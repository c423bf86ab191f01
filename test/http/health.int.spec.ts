import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../support/http-client.js';
import { startTestApi, type TestApi } from '../support/test-api.js';

describe('health endpoints', () => {
  let service: TestApi;
  const get = (path: string) => send('https', service.port(), { path, ca: service.servedCertificatePem() });

  beforeAll(async () => {
    service = await startTestApi();
  });
  afterAll(() => service.close());

  it('[SV-7.6] says live and ready, and nothing else', async () => {
    expect((await get('/health/live')).json()).toEqual({ status: 'ok' });
    expect((await get('/health/ready')).json()).toEqual({ status: 'ok' });
  });

  it('[SV-7.6] reports not ready, without internal detail, when the database refuses the application, and recovers', async () => {
    const admin = new Client({ connectionString: service.database.migrationUrl });
    await admin.connect();
    try {
      await admin.query(`ALTER ROLE ${service.database.appRole} NOLOGIN`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [service.database.appRole]);
      const down = await get('/health/ready');
      expect(down.status).toBe(503);
      expect(down.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(down.body).not.toMatch(/postgres|password|role|127\.0\.0\.1|5432/i);
      expect((await get('/health/live')).status).toBe(200);
    } finally {
      await admin.query(`ALTER ROLE ${service.database.appRole} LOGIN`);
      await admin.end();
    }
    await expect.poll(async () => (await get('/health/ready')).status, { timeout: 10_000 }).toBe(200);
  });
});
