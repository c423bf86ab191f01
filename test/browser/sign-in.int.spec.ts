/// <reference lib="dom" />
import { freePort } from '@veilig/platform-testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS, startDemoEnvironment, type DemoEnvironment } from '../../tools/dev/demo-environment.js';
import { startTestApi, type TestApi } from '../support/test-api.js';
import { currentTotpCode } from '../support/totp.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('signing in with a real browser through the development IdP', () => {
  let service: TestApi;
  let demo: DemoEnvironment;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    const port = await freePort();
    origin = `https://localhost:${port}`;
    service = await startTestApi({ HTTPS_PORT: String(port), PUBLIC_ORIGIN: origin });
    demo = await startDemoEnvironment(service.config, service.api.logger, await freePort());
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    await service?.close();
  });

  async function newPage(): Promise<{ page: Page; violations: string[] }> {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    return { page, violations };
  }

  async function discover(page: Page, organisation: string): Promise<void> {
    await page.goto(`${origin}/login`);
    await page.fill('#identifier', organisation);
    await page.click('button[type=submit]');
  }

  async function signedInUser(page: Page): Promise<Record<string, unknown>> {
    const response = await page.request.get(`${origin}/api/session`);
    expect(response.status()).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  }

  it('[SE-7.1] [SV-4] [SV-1] signs in by OpenID Connect: discovery, the IdP user picker, back with a session', async () => {
    const { page, violations } = await newPage();
    await discover(page, DEMO_TENANTS.oidc.slug);
    await page.waitForURL((url) => url.origin === demo.devIdp.origin);
    const user = DEMO_TENANTS.oidc.directory.users[0]!;
    await page.click(`button[name=oid][value="${user.oid}"]`);
    await page.waitForURL(`${origin}/`);
    expect(await signedInUser(page)).toMatchObject({ user: { displayName: user.displayName, email: user.email }, session: { authMethod: 'oidc' } });
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it('[SE-7.1] [SV-4] [SV-1] signs in by SAML 2.0: signed request, the IdP user picker, the POST binding back', async () => {
    const { page, violations } = await newPage();
    await discover(page, `someone@${DEMO_TENANTS.saml.domain}`);
    await page.waitForURL((url) => url.origin === demo.devIdp.origin);
    const user = DEMO_TENANTS.saml.directory.users[0]!;
    await page.click(`button[name=oid][value="${user.oid}"]`);
    await page.waitForURL(`${origin}/`, { timeout: 15_000 });
    expect(await signedInUser(page)).toMatchObject({ user: { displayName: user.displayName }, session: { authMethod: 'saml' } });
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it('[SE-3.2] [SE-4.1] gives the SAML demo auditor her role from the IdP claim and shows her the audit log of the demo', async () => {
    const { page, violations } = await newPage();
    await discover(page, DEMO_TENANTS.saml.slug);
    await page.waitForURL((url) => url.origin === demo.devIdp.origin);
    const auditor = DEMO_TENANTS.saml.directory.users.find((candidate) => candidate.roles?.includes('auditor'))!;
    await page.click(`button[name=oid][value="${auditor.oid}"]`);
    await page.waitForURL(`${origin}/`, { timeout: 15_000 });
    await expect.poll(() => page.locator('#account-roles').textContent()).toBe('auditor');
    expect(await page.locator('#account strong').textContent()).toBe(auditor.displayName);
    expect(await page.locator('[data-permission="audit:read"]').isVisible()).toBe(true);
    await page.click('a[href="/audit"]');
    await page.waitForURL(`${origin}/audit`);
    await expect.poll(() => page.locator('#events tbody tr').count()).toBeGreaterThan(2);
    const actions = await page.locator('#events tbody tr td:nth-child(2)').allTextContents();
    expect(actions).toEqual(expect.arrayContaining(['auth.logon', 'authz.role.granted', 'authz.mapping.changed']));
    await expect.poll(() => page.locator('#chain').getAttribute('data-ok')).toBe('true');
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it('[SE-7.1] [SV-4] [SV-1] enrols an authenticator app on the local-2fa demo tenant and signs in with it', async () => {
    const { page, violations } = await newPage();
    await discover(page, DEMO_TENANTS.local.slug);
    await page.fill('#email', DEMO_TENANTS.local.email);
    await page.fill('#password', DEMO_TENANTS.local.password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${origin}/login/enrol`);
    expect(await page.$eval('img', (image) => (image as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    const manualKey = (await page.textContent('#manual-key'))!;
    await page.fill('#new-password', 'blauwe reiger staat stil in het riet');
    await page.fill('#code', await currentTotpCode(manualKey));
    await page.click('button[type=submit]');
    await expect.poll(() => page.locator('#recovery-codes li').count()).toBe(10);
    expect(await signedInUser(page)).toMatchObject({ session: { authMethod: 'password+totp' } });
    expect(violations).toEqual([]);
    await page.context().close();
  });
});
