// Lint rules. Besides style, they hold the architecture: each library that shapes the code is
// wrapped in one module, and only that module may import it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/** Libraries that may be imported only by the module that wraps them. */
const wrappedLibraries = [
  { pattern: 'workbox-*', wrapper: 'workers/sw/' },
  { pattern: 'comlink', wrapper: 'workers/engine/comlink' },
  { pattern: 'apache-arrow', wrapper: 'the arrow wrapper module' },
  { pattern: 'oidc-client-ts', wrapper: 'src/auth/' },
];

const restrictedLibraries = {
  'no-restricted-imports': [
    'error',
    {
      patterns: wrappedLibraries.map(({ pattern, wrapper }) => ({
        group: [pattern, `${pattern}/*`],
        message: `Import this library only through its wrapper (${wrapper}).`,
      })),
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.enclave/', 'test-results/', 'playwright-report/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      ...restrictedLibraries,
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ['workers/sw/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
