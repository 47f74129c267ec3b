// Lint rules. Besides style, they hold the architecture: each library that shapes the code is
// wrapped in one module, and only that module may import it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/** Libraries that may be imported only by the modules that wrap them (`files`). */
const wrappedLibraries = [
  { pattern: 'workbox-*', wrapper: 'workers/sw/', files: ['workers/sw/**/*.ts'] },
  {
    pattern: 'comlink',
    wrapper: 'workers/engine/comlink/',
    files: ['workers/engine/comlink/**/*.ts'],
  },
  {
    pattern: 'apache-arrow',
    wrapper:
      'server/arrow/ on the server, workers/engine/arrow/ in the browser, sdk/src/arrow.ts in plugins',
    files: ['server/arrow/**/*.ts', 'workers/engine/arrow/**/*.ts', 'sdk/src/arrow.ts'],
  },
  {
    pattern: 'dompurify',
    wrapper: 'sdk/runtime/svg-sanitiser.ts',
    files: ['sdk/runtime/svg-sanitiser.ts'],
  },
  {
    pattern: 'fflate',
    wrapper: 'server/plugins/plugin-archive.ts (and the zips the tests build)',
    files: [
      'server/plugins/plugin-archive*.ts',
      'server/plugins/testing.ts',
      'e2e/support/plugin-fixtures.ts',
    ],
  },
  {
    pattern: 'oidc-client-ts',
    wrapper: 'src/auth/oidc-client.ts',
    files: ['src/auth/oidc-client.ts'],
  },
  {
    pattern: 'oidc-provider',
    wrapper: 'server/identity/provider/oidc-provider.ts',
    // The stand-in issuer of the tests is a second, independent provider built on it too.
    files: [
      'server/identity/provider/oidc-provider.ts',
      'server/identity/testing/stand-in-issuer*.ts',
    ],
  },
  {
    pattern: 'ldapts',
    wrapper: 'server/identity/ldap/ldap-directory.ts',
    files: [
      'server/identity/ldap/ldap-directory.ts',
      'server/identity/ldap/*.test.ts',
      // Spies on the client's bind to prove which sign-ins never reach the directory.
      'server/identity/password-sign-in.test.ts',
    ],
  },
  {
    pattern: 'openid-client',
    wrapper: 'server/identity/testing/relying-party.ts (tests only)',
    files: ['server/identity/testing/relying-party.ts'],
  },
];

/**
 * The package (and its subpaths) by its bare name only: a gitignore-style group such as
 * `comlink/*` would also match our own `./comlink/index.ts`, the wrapper's path.
 */
function packageRegex(pattern) {
  return `^${pattern.replaceAll('*', '[^/]*')}(/.*)?$`;
}

const restrictedLibraries = {
  'no-restricted-imports': [
    'error',
    {
      patterns: wrappedLibraries.map(({ pattern, wrapper }) => ({
        regex: packageRegex(pattern),
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
  // Each wrapper may import its own library (and only its own).
  ...wrappedLibraries
    .filter(({ files }) => files.length > 0)
    .map(({ pattern, files }) => ({
      files,
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: wrappedLibraries
              .filter((library) => library.pattern !== pattern)
              .map(({ pattern: other, wrapper }) => ({
                regex: packageRegex(other),
                message: `Import this library only through its wrapper (${wrapper}).`,
              })),
          },
        ],
      },
    })),
);
