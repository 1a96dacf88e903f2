/**
 * How every function is bundled, in one place: the CDK's NodejsFunction (infra/stateless-stack.ts)
 * and the cold-start bench (bench/coldstart.ts) both read it, so the bench measures what deploys.
 */
import { join } from "node:path";

/**
 * ESM output has no `require`, yet CommonJS modules bundled into it still call require() for
 * Node built-ins ("Dynamic require of ... is not supported" at cold start without this).
 */
export const esmRequireBanner = "import { createRequire as topLevelCreateRequire } from 'module'; const require = topLevelCreateRequire(import.meta.url);";

/** Package entry points esbuild prefers: the ES module builds tree-shake; `main` is the fallback. */
export const mainFields = ["module", "main"];

/**
 * Module replacements inside the bundles (esbuild `alias`), as absolute paths under `repoRoot`.
 * Lambda gives the role's credentials in the environment, so the SDK's default credential chain
 * is the environment provider alone (functions/shared/lambda-credentials.ts says why).
 */
export function bundleAliases(repoRoot: string): Record<string, string> {
  return { "@aws-sdk/credential-provider-node": join(repoRoot, "functions/shared/lambda-credentials.ts") };
}

/**
 * The same options for esbuild's own API (the cold-start bench, the bundle-size test): what
 * NodejsFunction passes to esbuild for each function, minus its output paths and source maps.
 * `asDeployed: false` leaves out the aliases (the bench's default-bundled baseline).
 */
export function esbuildLambdaOptions(repoRoot: string, options: { asDeployed?: boolean } = {}) {
  return {
    bundle: true,
    minify: true,
    format: "esm" as const,
    platform: "node" as const,
    target: "node20",
    mainFields,
    banner: { js: esmRequireBanner },
    ...(options.asDeployed === false ? {} : { alias: bundleAliases(repoRoot) }),
    logLevel: "silent" as const,
  };
}
