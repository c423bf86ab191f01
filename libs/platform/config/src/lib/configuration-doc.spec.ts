import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderConfigurationDoc } from './configuration-doc.js';
import { VARIABLES } from './variables.js';

describe('docs/configuration.md', () => {
  it('is the current rendering of the variable list (run `npm run docs:config` after changing a variable)', () => {
    const onDisk = readFileSync(resolve(import.meta.dirname, '../../../../../docs/configuration.md'), 'utf8');
    expect(onDisk).toBe(renderConfigurationDoc());
  });

  it('documents every variable with a description and a default', () => {
    const rendered = renderConfigurationDoc();
    for (const variable of VARIABLES) {
      expect(rendered).toContain(`| \`${variable.name}\` |`);
      expect(variable.description.length).toBeGreaterThan(10);
    }
  });
});
