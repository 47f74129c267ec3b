import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'server/**/*.test.ts',
      'src/**/*.test.{ts,tsx}',
      'workers/**/*.test.ts',
      'sdk/**/*.test.ts',
      'scripts/**/*.test.ts',
      'plugins/**/*.test.ts',
    ],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
