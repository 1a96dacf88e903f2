// Lint rules that matter to us: no `any`, no non-null assertions, and no focused or
// skipped tests (a forgotten `.only` or `.skip` silently shrinks the suite).
import tseslint from "typescript-eslint";
import vitest from "eslint-plugin-vitest";

export default tseslint.config(
  { ignores: ["node_modules/**", "cdk.out/**", ".data/**", ".test-data/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["tests/**/*.ts"],
    plugins: { vitest },
    rules: {
      "vitest/no-focused-tests": "error",
      "vitest/no-disabled-tests": "error",
      // Test helpers read loosely typed JSON responses; production code keeps the rule.
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
);
