import { defineConfig } from "vitest/config";

// Four kinds of test: unit (pure, no network), integration (against the local stack the
// global setup starts: DynamoDB Local + fauxqs), infra (CDK template assertions + cdk-nag),
// browser (the console in Debian's chromium via playwright-core, against a local stack).
export default defineConfig({
  test: {
    reporters: ["default", "./tests/support/summary-reporter.ts"],
    testTimeout: 60_000,
    // Vitest would use cores - 1 = one worker on the 2-core CI machine, running 80 files one after
    // another (over 10 minutes). Integration files mostly wait on DynamoDB Local and their own
    // stack's start, so two at once keep both cores busy; each file has its own table and queues.
    maxWorkers: 2,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: "unit", include: ["tests/unit/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          globalSetup: ["tests/integration/global-setup.ts"],
          pool: "forks",
        },
      },
      // A full synth is seconds of CPU; on a busy 2-core machine it took over a minute once.
      { extends: true, test: { name: "infra", include: ["tests/infra/**/*.test.ts"], pool: "forks", testTimeout: 180_000 } },
      {
        extends: true,
        test: {
          name: "browser",
          include: ["tests/browser/**/*.test.ts"],
          // DynamoDB Local as for integration tests, then the console built once for every file.
          globalSetup: ["tests/integration/global-setup.ts", "tests/browser/global-setup.ts"],
          pool: "forks",
          testTimeout: 180_000,
        },
      },
    ],
  },
});
