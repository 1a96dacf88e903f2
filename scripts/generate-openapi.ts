/**
 * Writes docs/openapi.json from the function list and the routes' contracts, and the console's
 * types from it (console/src/api/schema.d.ts, openapi-typescript). Both are checked current by
 * tests/unit/openapi.test.ts; GET /openapi.json serves the document.
 */
import { writeFileSync } from "node:fs";
import { renderOpenApi } from "../functions/catalog/openapi.js";
import { renderConsoleTypes } from "./openapi-types.js";

const document = renderOpenApi();
writeFileSync(new URL("../docs/openapi.json", import.meta.url), document);
writeFileSync(new URL("../console/src/api/schema.d.ts", import.meta.url), await renderConsoleTypes(JSON.parse(document)));
const operations = Object.values((JSON.parse(document) as { paths: Record<string, object> }).paths).reduce((n, p) => n + Object.keys(p).length, 0);
console.log(`docs/openapi.json: ${operations} operations; console/src/api/schema.d.ts`);
