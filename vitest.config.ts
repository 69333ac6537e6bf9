import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/chapters/*/checks.ts'],
    // Checks load the learner's tree; in `npm test` that is the reference.
    env: { WORKBOOK_TREE: process.env.WORKBOOK_TREE ?? 'solutions' },
    execArgv: ['--expose-gc'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 10_000,
    // One file at a time: the scorecard, CLI and site suites start processes of
    // their own, and a 2-core machine is busy enough with those.
    fileParallelism: false,
  },
});
