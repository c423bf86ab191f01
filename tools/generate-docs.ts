import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderConfigurationDoc } from '@veilig/platform-config';

const target = resolve(import.meta.dirname, '../docs/configuration.md');
writeFileSync(target, renderConfigurationDoc());
process.stdout.write(`wrote ${target}\n`);
