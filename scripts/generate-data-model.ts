/** Writes docs/data-model.md from the entity registry (checked by tests/unit/table-registry.test.ts). */
import { writeFileSync } from "node:fs";
import { renderDataModel } from "../functions/shared/table/data-model-doc.js";
import { registry } from "../functions/shared/table/registry.js";

writeFileSync(new URL("../docs/data-model.md", import.meta.url), renderDataModel(registry));
console.log(`docs/data-model.md: ${registry.length} item types`);
