// Lint for the server code (src/): typescript-eslint's recommended-type-checked rules, plus the size limits
// that keep modules small enough to hold in one's head, and the rule that SQL lives in stores.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/migrations/**'] },
  {
    files: ['src/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      'max-lines': ['error', { max: 400 }],
      'max-lines-per-function': ['error', { max: 60, IIFEs: true }],
      'max-len': ['error', { code: 160, ignoreUrls: true, ignoreStrings: false, ignoreTemplateLiterals: false }],
      // SQL lives in one store per aggregate (src/stores/): services, resolvers, loaders and the worker call stores.
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='execute']",
          message: 'SQL lives in a store (src/stores/): call the store, not execute().',
        },
        {
          selector: "CallExpression[callee.name='query']",
          message: 'SQL lives in a store (src/stores/): call the store, not query().',
        },
        {
          selector: 'MemberExpression[property.name=/^(getConnection|getKnex)$/]',
          message: 'Raw connections belong to stores (src/stores/); only src/db/pool-stats.ts reads the pool.',
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/stores/**/*.ts', 'src/db/pool-stats.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
