import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Direction of dependencies (docs/architecture.md): apps → feature → platform; nothing imports an app.
const depConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:platform'] },
  { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', 'type:platform'] },
  { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:platform'] },
];
const boundaries = (constraints) => ['error', { enforceBuildableLibDependency: true, allow: [], depConstraints: constraints }];

export default [
  { ignores: ['node_modules/**', 'dist/**', '.data/**', '.nx/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': boundaries(depConstraints),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
    },
  },
  {
    // Only tests may use the testing library: production code can never reach a test helper.
    files: ['**/*.spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(
        depConstraints.map((rule) => ({ ...rule, onlyDependOnLibsWithTags: [...rule.onlyDependOnLibsWithTags, 'type:testing'] })),
      ),
    },
  },
  {
    files: ['bench/**/*.ts', 'tools/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
];
