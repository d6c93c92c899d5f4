import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Every JSON answer of a real server in the suite is checked against /openapi.json (src/http/response-check.ts).
    env: { LASTGATE_CHECK_RESPONSES: '1' },
  },
});
