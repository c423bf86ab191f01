/// <reference lib="dom" />
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/test-api.js';

/** Debian's Chromium; `.ci/run` installs it. Flags keep it off the network, which this machine does not have. */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('the landing page in a real browser', () => {
  let service: TestApi;
  let browser: Browser;

  beforeAll(async () => {
    service = await startTestApi({ PUBLIC_ORIGIN: 'https://localhost:3443' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await service?.close();
  });

  it('[SV-1] [TH-7] renders with its own stylesheet and script under the strict page CSP, without any violation', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    const response = await page.goto(`https://localhost:${service.port()}/`);
    expect(response?.status()).toBe(200);
    await expect.poll(() => page.getAttribute('#status', 'data-checked')).toBe('true');
    const maxWidth = await page.$eval('main', (element) => getComputedStyle(element).maxWidth);
    expect(maxWidth).toBe('640px');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('[TH-7] blocks inline script that an attacker manages to inject', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`https://localhost:${service.port()}/`);
    const violation = page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          document.addEventListener('securitypolicyviolation', (event) => resolve(event.violatedDirective), { once: true });
          const script = document.createElement('script');
          script.textContent = 'window.injected = true';
          document.body.append(script);
        }),
    );
    expect(await violation).toMatch(/^script-src/);
    expect(await page.evaluate(() => (window as unknown as { injected?: boolean }).injected)).toBeUndefined();
    await context.close();
  });

  it('[TH-7] [TH-6] refuses to be framed by another page', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`https://localhost:${service.port()}/.well-known/security.txt`);
    const framedLoaded = await page.evaluate(
      (url) =>
        new Promise<boolean>((resolve) => {
          const frame = document.createElement('iframe');
          frame.src = url;
          frame.onload = () => {
            try {
              resolve(Boolean(frame.contentDocument?.getElementById('status')));
            } catch {
              resolve(false);
            }
          };
          document.documentElement.append(frame);
          setTimeout(() => resolve(false), 3_000);
        }),
      `https://localhost:${service.port()}/`,
    );
    expect(framedLoaded).toBe(false);
    await context.close();
  });
});
