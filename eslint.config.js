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
      // The named `z` export is an object holding all of zod (and its locales): bundles keep it whole.
      // (no-restricted-imports would also reject the namespace import, which holds the same names.)
      "no-restricted-syntax": [
        "error",
        {
          selector: "ImportDeclaration[source.value='zod'] > :matches(ImportSpecifier[imported.name='z'], ImportDefaultSpecifier)",
          message: 'Import zod as a namespace, `import * as z from "zod"`, so esbuild drops what a function does not use.',
        },
      ],
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
