// Lint rules that matter to us: no `any`, no non-null assertions, and no focused or
// skipped tests (a forgotten `.only` or `.skip` silently shrinks the suite).
import tseslint from "typescript-eslint";
import vitest from "eslint-plugin-vitest";

// The named `z` export is an object holding all of zod: bundles keep it whole.
// (no-restricted-imports would also reject the namespace import, which holds the same names.)
const zodNamespaceOnly = {
  selector: "ImportDeclaration[source.value=/^zod/] > :matches(ImportSpecifier[imported.name='z'], ImportDefaultSpecifier)",
  message: 'Import zod as a namespace, `import * as z from "zod/mini"`, so esbuild drops what a function does not use.',
};

export default tseslint.config(
  { ignores: ["node_modules/**", "cdk.out/**", ".data/**", ".test-data/**", "console/dist/**", "console/dist.*/**", ".work/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Classic zod (`"zod"`) is ~90 KB and ~30 ms of every cold start before a schema is built;
      // zod/mini holds the same schemas and messages in ~20-45 KB (issue 11, bundles).
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "zod",
              message: 'Import zod/mini, `import * as z from "zod/mini"`: classic zod adds ~70 KB and ~20 ms to each function\'s cold start (write `z.optional(x)`, `x.check(z.minLength(1))`, `z.strictObject`; docs/performance.md, "Cold start").',
            },
          ],
        },
      ],
      "no-restricted-syntax": ["error", zodNamespaceOnly],
    },
  },
  {
    files: ["functions/**/*.ts"],
    rules: {
      // A dynamic import() makes esbuild wrap the imported module and everything under it as
      // lazily initialised modules it cannot tree-shake: in a Lambda bundle that is more to parse
      // at every cold start, not less (it cost ~100 KB once). Import statically.
      "no-restricted-syntax": ["error", zodNamespaceOnly, { selector: "ImportExpression", message: "No dynamic import() in functions/: esbuild cannot tree-shake what it loads lazily, so the bundle grows (import statically)." }],
    },
  },
  {
    // The console takes the backend's types, never its code: a value import would bundle it.
    files: ["console/src/**/*.{ts,tsx}"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/functions/**", "**/local/**"], allowTypeImports: true, message: "Import only types from the backend (import type): the console must not bundle it." }] },
      ],
    },
  },
  {
    files: ["tests/**/*.ts"],
    plugins: { vitest },
    rules: {
      "vitest/no-focused-tests": "error",
      "vitest/no-disabled-tests": "error",
      // Tests are not bundled; they may compare against classic zod.
      "no-restricted-imports": "off",
      // Test helpers read loosely typed JSON responses; production code keeps the rule.
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
);
