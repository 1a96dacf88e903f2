/**
 * The Lambda bundles as deployed (infra/lambda-bundling.ts, the options the CDK and the cold-start
 * bench share): each at most 500 KB, and none carries the SDK credential links Lambda never uses.
 * Load time is the bench's job (`npm run bench`); size is deterministic, so it is tested.
 */
import { resolve } from "node:path";
import { build } from "esbuild";
import { afterEach, describe, expect, it } from "vitest";
import { functionList } from "../../functions/catalog/index.js";
import { defaultProvider } from "../../functions/shared/lambda-credentials.js";
import { esbuildLambdaOptions } from "../../infra/lambda-bundling.js";

const root = resolve(import.meta.dirname, "../..");
const maxBundleBytes = 500 * 1024;

describe("Lambda bundles as deployed", () => {
  it("are each at most 500 KB and hold the environment credential provider only", async () => {
    const entries = [...new Set(functionList.map((f) => f.entry))];
    const result = await build({
      entryPoints: Object.fromEntries(entries.map((e) => [e.replace(/\.ts$/, ""), resolve(root, e)])),
      outdir: "/nonexistent",
      write: false,
      metafile: true,
      ...esbuildLambdaOptions(root),
    });
    const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith(".js"));
    expect(outputs).toHaveLength(entries.length);
    expect(outputs.filter(([, out]) => Object.keys(out.inputs).some((i) => i.includes("node_modules/@aws-sdk/client-"))).length).toBeGreaterThan(entries.length / 2);
    const sizes = Object.fromEntries(outputs.map(([file, out]) => [file.replace(/^.*?nonexistent\//, ""), out.bytes]));
    expect(Object.entries(sizes).filter(([, bytes]) => bytes > maxBundleBytes), JSON.stringify(sizes)).toEqual([]);
    for (const [file, out] of outputs) {
      const inputs = Object.keys(out.inputs);
      expect(inputs.filter((i) => /credential-provider-(node|sso|ini|web-identity|process)|nested-clients/.test(i)), file).toEqual([]);
      const usesSdk = inputs.some((i) => i.includes("node_modules/@aws-sdk/client-"));
      expect(inputs.some((i) => i.includes("credential-provider-env")), file).toBe(usesSdk);
    }
  }, 120_000);
});

describe("the bundles' credential provider", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it("answers the role's credentials Lambda puts in the environment", async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret", AWS_SESSION_TOKEN: "session" });
    await expect(defaultProvider()()).resolves.toMatchObject({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret", sessionToken: "session" });
  });

  it("fails loudly, naming the variables, when they are missing", async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    await expect(defaultProvider()()).rejects.toThrow(/environment/i);
  });
});
