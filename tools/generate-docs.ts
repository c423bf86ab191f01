import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderConfigurationDoc } from '@veilig/platform-config';
import { renderNginxHeadersConf, renderNginxTlsConf } from '@veilig/platform-http';

/** Files rendered from code, so documentation and infrastructure cannot drift from what the kit does. */
export const GENERATED_FILES: ReadonlyArray<{ readonly path: string; readonly render: () => string }> = [
  { path: 'docs/configuration.md', render: renderConfigurationDoc },
  { path: 'infra/nginx/veilig-tls.conf', render: renderNginxTlsConf },
  { path: 'infra/nginx/veilig-headers.conf', render: renderNginxHeadersConf },
];

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const file of GENERATED_FILES) {
    writeFileSync(resolve(import.meta.dirname, '..', file.path), file.render());
    process.stdout.write(`wrote ${file.path}\n`);
  }
}
