import { Body, Controller, Get, Module, Post, Res } from '@nestjs/common';
import { CookieWriter, Public } from '@veilig/platform-http';
import type { FastifyReply } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, sendRaw, parseRawResponse, type TestResponse } from '../support/http-client.js';
import { startTestApi, type TestApi } from '../support/test-api.js';

@Public()
@Controller('test-fixtures')
class FixtureController {
  constructor(private readonly cookies: CookieWriter) {}

  @Get('cookie')
  setCookie(@Res({ passthrough: true }) reply: FastifyReply): { set: true } {
    this.cookies.set(reply, 'session', 'opaque-id', { sameSite: 'Lax' });
    return { set: true };
  }

  @Get('cookie-none')
  setSameSiteNone(@Res({ passthrough: true }) reply: FastifyReply): { set: true } {
    this.cookies.set(reply, 'embed', 'x', { sameSite: 'None' });
    return { set: true };
  }

  @Get('failure')
  fail(): never {
    throw new Error('connection to db-internal.example:5432 failed for user app password=hunter2');
  }

  @Post('echo')
  echo(@Body() body: unknown): unknown {
    return body;
  }
}

@Module({ controllers: [FixtureController] })
class FixtureModule {}

const REQUIRED_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'x-xss-protection': '0',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
} as const;

function expectSecurityHeaders(headers: Record<string, string | string[] | undefined>, options: { https: boolean }) {
  for (const [name, value] of Object.entries(REQUIRED_HEADERS)) expect(headers[name], name).toBe(value);
  expect(headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
  expect(headers['permissions-policy']).toMatch(/camera=\(\)/);
  expect(headers['permissions-policy']).toMatch(/geolocation=\(\)/);
  expect(headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  if (options.https) expect(headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
  else expect(headers['strict-transport-security']).toBeUndefined();
  expect(headers['server']).toBeUndefined();
  expect(headers['x-powered-by']).toBeUndefined();
}

function expectProblem(response: TestResponse, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  const body = response.json();
  expect(body).toMatchObject({ status, type: 'about:blank' });
  expect(body['requestId']).toBe(response.headers['x-request-id']);
  expect(response.body).not.toMatch(/at .+\.(ts|js):\d+/);
  return body;
}

describe('HTTP policy of the running service', () => {
  let service: TestApi;
  let ca: string;
  const https = (options: Parameters<typeof send>[2] = {}) => send('https', service.port(), { ca, ...options });

  beforeAll(async () => {
    service = await startTestApi({}, { modules: [FixtureModule] });
    ca = service.servedCertificatePem();
  });
  afterAll(() => service.close());

  it('[TH-6] [TH-7] [TH-8] [TH-9] [TH-10] sends the full header policy on a 200 API response', async () => {
    const response = await https({ path: '/health/live' });
    expect(response.status).toBe(200);
    expectSecurityHeaders(response.headers, { https: true });
    expect(response.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'");
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('[TH-7] [SV-1] gives pages a self-only CSP without unsafe-inline or unsafe-eval', async () => {
    const response = await https({ path: '/' });
    expect(response.status).toBe(200);
    expectSecurityHeaders(response.headers, { https: true });
    const csp = String(response.headers['content-security-policy']);
    for (const directive of ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https:|\*/);
  });

  it('[TH-6] [TH-9] sends the header policy on 404 problem responses', async () => {
    const response = await https({ path: '/no/such/route' });
    expectProblem(response, 404);
    expectSecurityHeaders(response.headers, { https: true });
  });

  it('[TH-6] [TH-9] sends the header policy on a 500 and leaks nothing of the error', async () => {
    const response = await https({ path: '/test-fixtures/failure' });
    const body = expectProblem(response, 500);
    expectSecurityHeaders(response.headers, { https: true });
    expect(response.body).not.toContain('hunter2');
    expect(response.body).not.toContain('db-internal');
    expect(body['detail']).toMatch(/requestId/);
    const logged = service.logs.find((line) => line['requestId'] === body['requestId'] && line['msg'] === 'unhandled error');
    expect(logged, 'the full error is logged under the request id').toBeDefined();
  });

  it('[TH-6] sends the header policy on static files', async () => {
    const response = await https({ path: '/assets/app.css' });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/css/);
    expectSecurityHeaders(response.headers, { https: true });
  });

  it('[TH-1] [TH-2] [TH-6] redirects plain HTTP to HTTPS on the same host, with the header policy minus HSTS', async () => {
    const response = await send('http', service.redirectPort(), { path: '/cases?page=2', host: 'localhost:3080' });
    expect(response.status).toBe(301);
    expect(response.headers['location']).toBe('https://localhost:3443/cases?page=2');
    expect(response.body).toBe('');
    expectSecurityHeaders(response.headers, { https: false });
  });

  it('[TH-1] [TH-2] never redirects to another host, whatever the request target says', async () => {
    const absolute = parseRawResponse(
      await sendRaw('http', service.redirectPort(), 'GET http://evil.example/steal HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'),
    );
    expect(absolute.status).toBe(301);
    expect(absolute.headers['location']).toBe('https://localhost:3443/');
    const schemeRelative = await send('http', service.redirectPort(), { path: '//evil.example/x', host: 'localhost' });
    expect(schemeRelative.headers['location']).toBe('https://localhost:3443/');
    const foreignHost = await send('http', service.redirectPort(), { path: '/', host: 'evil.example' });
    expectProblem(foreignHost, 400);
    expectSecurityHeaders(foreignHost.headers, { https: false });
  });

  it('[TH-10] refuses a Host header naming another site, with problem+json and every header', async () => {
    const response = await https({ path: '/health/live', host: 'evil.example' });
    expectProblem(response, 400);
    expectSecurityHeaders(response.headers, { https: true });
  });

  it('[TH-10] answers HTTP/1.0 without Host with 400 problem+json', async () => {
    const raw = await sendRaw('https', service.port(), 'GET /health/live HTTP/1.0\r\n\r\n', ca);
    const response = parseRawResponse(raw);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(JSON.parse(response.body)).toMatchObject({ status: 400 });
  });

  it('[TH-10] answers a malformed request line with 400 problem+json and every header', async () => {
    const raw = await sendRaw('https', service.port(), 'GARBAGE\r\n\r\n', ca);
    const response = parseRawResponse(raw);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(response.headers['content-security-policy']).toMatch(/default-src 'none'/);
  });

  it('[TH-10] answers invalid JSON with 400 problem+json', async () => {
    const response = await https({
      method: 'POST',
      path: '/test-fixtures/echo',
      headers: { 'content-type': 'application/json' },
      body: '{"unterminated": ',
    });
    expectProblem(response, 400);
    expectSecurityHeaders(response.headers, { https: true });
  });

  it('[TH-10] answers an oversized body with 413 problem+json', async () => {
    const response = await https({
      method: 'POST',
      path: '/test-fixtures/echo',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blob: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expectProblem(response, 413);
  });

  it('[TH-10] answers an unsupported media type with 415 problem+json', async () => {
    const response = await https({
      method: 'POST',
      path: '/test-fixtures/echo',
      headers: { 'content-type': 'application/x-unknown' },
      body: 'abc',
    });
    expectProblem(response, 415);
  });

  it('[TH-10] answers a malformed URL encoding with 400 problem+json', async () => {
    const response = await https({ path: '/health/%E0%A4%A' });
    expectProblem(response, 400);
    expectSecurityHeaders(response.headers, { https: true });
  });

  it('gives every response a fresh request id and logs one access line under it, without the query string', async () => {
    const first = await https({ path: '/health/live?code=secret-authorization-code' });
    const second = await https({ path: '/health/live' });
    expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id']);
    const line = service.logs.find((entry) => entry['requestId'] === first.headers['x-request-id'] && entry['msg'] === 'request completed');
    expect(line).toMatchObject({ method: 'GET', path: '/health/live', status: 200 });
    expect(JSON.stringify(service.logs)).not.toContain('secret-authorization-code');
  });

  it('ignores a client-supplied request id', async () => {
    const response = await https({ path: '/health/live', headers: { 'x-request-id': 'forged-id' } });
    expect(response.headers['x-request-id']).not.toBe('forged-id');
  });

  it('[TH-11] sets cookies through the one writer: __Host-, Secure, HttpOnly, SameSite', async () => {
    const response = await https({ path: '/test-fixtures/cookie' });
    expect(response.headers['set-cookie']).toEqual(['__Host-session=opaque-id; Path=/; Secure; HttpOnly; SameSite=Lax']);
  });

  it('[TH-11] refuses SameSite=None without explicit permission, as a 500 that leaks nothing', async () => {
    const response = await https({ path: '/test-fixtures/cookie-none' });
    expectProblem(response, 500);
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it('[SE-9.1] serves security.txt as RFC 9116 text with a Canonical for this origin', async () => {
    const response = await https({ path: '/.well-known/security.txt' });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expectSecurityHeaders(response.headers, { https: true });
    expect(response.body).toMatch(/^Contact: mailto:security@localhost\.invalid$/m);
    expect(response.body).toMatch(/^Canonical: https:\/\/localhost:3443\/\.well-known\/security\.txt$/m);
    expect(response.body).toMatch(/^Preferred-Languages: nl, en$/m);
    const expires = new Date(/^Expires: (.+)$/m.exec(response.body)![1]!);
    expect(expires.getTime()).toBeGreaterThan(Date.now());
    expect(expires.getTime() - Date.now()).toBeLessThan(366 * 24 * 60 * 60 * 1000);
  });

  it('[SE-9.1] redirects /security.txt to the well-known location', async () => {
    const response = await https({ path: '/security.txt' });
    expect(response.status).toBe(301);
    expect(response.headers['location']).toBe('/.well-known/security.txt');
    expectSecurityHeaders(response.headers, { https: true });
  });

  it('[SV-7.6] reports readiness when the database answers', async () => {
    const response = await https({ path: '/health/ready' });
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });
});
