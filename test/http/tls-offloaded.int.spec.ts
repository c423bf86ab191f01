import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../support/http-client.js';
import { startTestApi, type TestApi } from '../support/test-api.js';

describe('behind a TLS offloader (TLS_MODE=offloaded)', () => {
  let service: TestApi;
  const plain = (path: string, headers: Record<string, string> = {}) =>
    send('http', service.port(), { path, host: 'zaken.example.nl', headers });

  beforeAll(async () => {
    service = await startTestApi({
      TLS_MODE: 'offloaded',
      TRUST_PROXY: '127.0.0.1',
      PUBLIC_ORIGIN: 'https://zaken.example.nl',
    });
  });
  afterAll(() => service.close());

  it('[SE-6.4] [TH-8] serves a request the offloader forwarded as HTTPS, with HSTS', async () => {
    const response = await plain('/health/live', { 'x-forwarded-proto': 'https' });
    expect(response.status).toBe(200);
    expect(response.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
    expect(response.headers['x-frame-options']).toBe('DENY');
  });

  it('[SE-6.4] [TH-1] [TH-2] redirects a request that reached the offloader over plain HTTP to HTTPS on the same host', async () => {
    const response = await plain('/cases?page=2', { 'x-forwarded-proto': 'http' });
    expect(response.status).toBe(301);
    expect(response.headers['location']).toBe('https://zaken.example.nl/cases?page=2');
    expect(response.headers['strict-transport-security']).toBeUndefined();
    expect(response.headers['content-security-policy']).toMatch(/default-src 'none'/);
  });

  it('[SE-6.4] [SE-6.3] treats a request without X-Forwarded-Proto as plain HTTP', async () => {
    const response = await plain('/');
    expect(response.status).toBe(301);
  });

  it('[SE-6.4] answers orchestrator probes on the pod address without redirecting them', async () => {
    const live = await plain('/health/live');
    const ready = await plain('/health/ready');
    expect(live.status).toBe(200);
    expect(ready.status).toBe(200);
  });

  it('[SE-6.4] [TH-10] refuses a forwarded host that is not this service', async () => {
    const response = await plain('/health/live', { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' });
    expect(response.status).toBe(400);
  });

  it('[SE-6.4] opens no second, redirect-only listener', () => {
    expect(service.api.redirectUrl).toBeUndefined();
  });
});

describe('X-Forwarded-Proto from a proxy that is not trusted', () => {
  let service: TestApi;

  beforeAll(async () => {
    service = await startTestApi({ TLS_MODE: 'offloaded', TRUST_PROXY: '10.1.2.3', PUBLIC_ORIGIN: 'https://zaken.example.nl' });
  });
  afterAll(() => service.close());

  it('[SE-6.4] [SE-6.3] is ignored: a client cannot claim HTTPS itself', async () => {
    const response = await send('http', service.port(), {
      path: '/',
      host: 'zaken.example.nl',
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(response.status).toBe(301);
  });
});
