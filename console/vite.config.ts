/**
 * The console's build: a static single-page app served at /console/ (locally by the gateway,
 * in AWS from S3 behind CloudFront). `npm start` runs this build when console/ changed
 * (local/console-build.ts); `npm run console:dev` serves it with live reload against a running stack.
 */
import { readFileSync } from "node:fs";
import { defineConfig } from "vite";

const stack = `http://127.0.0.1:${process.env.PORT ?? "3000"}`;

// The API's first path segments, from the generated OpenAPI document (the contract's one
// rendering), so a new route is proxied without anyone remembering this file.
const openapi = JSON.parse(readFileSync(new URL("../docs/openapi.json", import.meta.url), "utf8")) as { paths: Record<string, unknown> };
const apiSegments = [...new Set(Object.keys(openapi.paths).map((path) => path.split("/")[1]).filter((segment): segment is string => Boolean(segment)))].map((segment) => segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));

export default defineConfig({
  root: import.meta.dirname,
  base: "/console/",
  // Preact's automatic JSX runtime, without the preset's Babel pass (oxc does the transform).
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // The gzip report is ours (tests/browser/bundle.test.ts); Vite's would only slow the build.
    reportCompressedSize: false,
    // Inline nothing as data: URLs, so the content security policy needs no data: scripts.
    assetsInlineLimit: 0,
  },
  server: {
    // `npm run console:dev`: the API, the token endpoint and the WebSocket are the running stack's.
    proxy: {
      "/console/config.json": stack,
      "/local": stack,
      "/ws": { target: stack.replace(/^http/, "ws"), ws: true },
      [`^/(${apiSegments.join("|")})([/?]|$)`]: stack,
    },
  },
});
