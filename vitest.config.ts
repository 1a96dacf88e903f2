import { defineConfig } from "vitest/config";

// Three kinds of test: unit (pure, no network), integration (against the local stack the
// global setup starts: DynamoDB Local + fauxqs), infra (CDK template assertions + cdk-nag).
export default defineConfig({
  test: {
    reporters: ["default", "./tests/support/summary-reporter.ts"],
    testTimeout: 60_000,
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
      { extends: true, test: { name: "infra", include: ["tests/infra/**/*.test.ts"], pool: "forks" } },
    ],
  },
});
