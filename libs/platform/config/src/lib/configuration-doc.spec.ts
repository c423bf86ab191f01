import { describe, expect, it } from 'vitest';
import { renderConfigurationDoc } from './configuration-doc.js';
import { VARIABLES } from './variables.js';

describe('docs/configuration.md', () => {
  it('documents every variable with a description and a default', () => {
    const rendered = renderConfigurationDoc();
    for (const variable of VARIABLES) {
      expect(rendered).toContain(`| \`${variable.name}\` |`);
      expect(variable.description.length).toBeGreaterThan(10);
    }
  });
});
