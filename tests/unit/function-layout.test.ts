/**
 * Names that show the roles (issue 11): a Lambda entry file says which trigger drives it
 * (`*.http.ts`, `*.queue.ts`, `*.schedule.ts`, `*.websocket.ts`), lives in its capability's
 * folder, and exports the handler the function list names.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { functionList } from "../../functions/catalog/index.js";

const root = join(import.meta.dirname, "..", "..");
const suffix = { http: ".http.ts", queue: ".queue.ts", schedule: ".schedule.ts", stream: ".stream.ts", websocket: ".websocket.ts" } as const;

describe("function layout", () => {
  it.each(functionList.map((f) => [f.name, f] as const))("%s: entry named by its trigger, in its capability, exporting its handler", (_name, spec) => {
    const kinds = new Set(spec.triggers.map((t) => t.kind));
    expect(kinds.size).toBe(1);
    const [kind] = [...kinds];
    expect(kind).toBeDefined();
    if (!kind) return;
    expect(spec.entry.endsWith(suffix[kind])).toBe(true);
    expect(spec.entry).toMatch(/^functions\/[a-z-]+\/[a-z-]+\.(http|queue|schedule|stream|websocket)\.ts$/);
    const path = join(root, spec.entry);
    expect(existsSync(path)).toBe(true);
    expect(readFileSync(path, "utf8")).toMatch(new RegExp(`export (const|async function|function) ${spec.handler}\\b`));
  });
});
