import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/test-api.js';

describe('route declarations', () => {
  let service: TestApi;

  beforeAll(async () => {
    service = await startTestApi();
  });
  afterAll(async () => {
    await service?.close();
  });

  it('[SE-4.1] finds no registered route without @Public, @SignedIn or a permission rule', () => {
    const routes = service.api.routes();
    expect(routes.length).toBeGreaterThan(30);
    expect(routes.filter((route) => route.access === undefined).map((route) => `${route.method} ${route.path}`)).toEqual([]);
  });

  it('[SE-4.1] keeps tenant data behind permissions: only sign-in, health and security.txt are public', () => {
    const publicPaths = service.api.routes().filter((route) => route.access?.kind === 'public').map((route) => route.path);
    for (const path of publicPaths) expect(path).toMatch(/^\/(login|sso|health|\.well-known\/security\.txt|security\.txt|$)/);
    const signedIn = service.api.routes().filter((route) => route.access?.kind === 'signed-in').map((route) => `${route.method} ${route.path}`);
    expect(signedIn.sort()).toEqual(['DELETE /api/sessions/:id', 'GET /api/access/me', 'GET /api/session', 'GET /api/sessions', 'POST /logout']);
  });
});
