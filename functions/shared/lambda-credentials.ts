/**
 * The SDK's credential chain inside the Lambda bundles (infra/bundling.ts aliases
 * `@aws-sdk/credential-provider-node` to this module): Lambda hands the function role's
 * credentials to the process in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, so
 * the default chain's other links (profiles and ini files, SSO, STS web identity, container and
 * instance metadata, and the nested STS/SSO clients behind them: ~90 KB parsed at every cold
 * start) can never be the one that answers. Local runs and tests use the full chain (sources, not
 * bundles).
 */
import { fromEnv } from "@aws-sdk/credential-provider-env";

export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}): ReturnType<typeof fromEnv> => fromEnv(init);
