import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../support/http-client.js';
import { startTestApi, type TestApi } from '../support/test-api.js';

const ENTRA_TENANT = '2b7c9e41-5d3a-4f86-a1c2-7e9d0b4f6a35';

describe('SSO declarations file applied at start', () => {
  let service: TestApi;

  beforeAll(async () => {
    const folder = mkdtempSync(join(tmpdir(), 'veilig-declarations-'));
    const file = join(folder, 'sso.json');
    writeFileSync(
      file,
      JSON.stringify({
        tenants: [
          {
            slug: 'gemeente-iac',
            name: 'Gemeente IaC',
            authMode: 'federated',
            emailDomains: ['iac.gemeente.example'],
            connections: [
              {
                name: 'entra',
                protocol: 'oidc',
                issuer: `https://login.microsoftonline.com/${ENTRA_TENANT}/v2.0`,
                entraTenantId: ENTRA_TENANT,
                clientId: '9a8b7c6d-0000-4000-8000-000000000001',
              },
            ],
          },
        ],
      }),
    );
    service = await startTestApi({ SSO_DECLARATIONS_FILE: file });
  });
  afterAll(() => service?.close());

  it('[SE-7.1] creates the declared tenant and connection before the first request, and logs the certificate to register in Entra', async () => {
    const applied = service.logs.filter((line) => line['msg'] === 'SSO declaration applied');
    expect(applied.map((line) => (line['declaration'] as { outcome: string }).outcome)).toContain('created');
    expect(applied.some((line) => String(line['certificateToRegister'] ?? '').startsWith('-----BEGIN CERTIFICATE-----'))).toBe(true);
    const discovery = await send('https', service.port(), {
      method: 'POST',
      path: '/login',
      ca: service.servedCertificatePem(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'identifier=someone%40iac.gemeente.example',
    });
    const page = await send('https', service.port(), { path: String(discovery.headers['location']), ca: service.servedCertificatePem() });
    expect(page.body).toMatch(/<a id="continue" href="\/sso\/oidc\/[0-9a-f-]{36}\/start">/);
  });
});
