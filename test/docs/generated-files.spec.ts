import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_FILES } from '../../tools/generate-docs.js';

describe('files rendered from code', () => {
  for (const file of GENERATED_FILES) {
    it(`${file.path} is current (run \`npm run docs:generate\` after changing its source)`, () => {
      expect(readFileSync(resolve(import.meta.dirname, '../..', file.path), 'utf8')).toBe(file.render());
    });
  }

  it('[SE-6.4] [TH-6] [TH-13] [TH-14] gives the nginx offloader the same TLS and header policy as the kit', () => {
    const tls = readFileSync(resolve(import.meta.dirname, '../../infra/nginx/veilig-tls.conf'), 'utf8');
    const headers = readFileSync(resolve(import.meta.dirname, '../../infra/nginx/veilig-headers.conf'), 'utf8');
    expect(tls).toMatch(/^ssl_protocols TLSv1\.2 TLSv1\.3;$/m);
    expect(tls).not.toMatch(/CBC|-SHA[;:]|[ :]DHE-|[ :]AES/);
    expect(headers).toMatch(/^add_header strict-transport-security "max-age=63072000; includeSubDomains" always;$/m);
    expect(headers).toMatch(/^add_header x-frame-options "DENY" always;$/m);
    expect(headers).toMatch(/^server_tokens off;$/m);
  });
});
