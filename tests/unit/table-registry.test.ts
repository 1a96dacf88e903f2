/**
 * The entity registry's contract: every key prefix is owned by one capability, no code outside
 * the registry builds a key or names a partition, items read are parsed (malformed ones fail
 * loudly) and docs/data-model.md is the registry's current rendering.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { Agent, Seat } from "../../functions/shared/table/entities/agents.js";
import { MalformedItemError, fillTemplate, templatePrefix, type IndexDeclaration } from "../../functions/shared/table/entity.js";
import { registry } from "../../functions/shared/table/registry.js";
import { renderDataModel } from "../../functions/shared/table/data-model-doc.js";

const root = join(import.meta.dirname, "..", "..");
const indexesOf = (e: (typeof registry)[number]) => Object.values<IndexDeclaration>(e.indexes ?? {});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("entity registry", () => {
  it("gives every item type a unique name and a unique key shape", () => {
    const types = registry.map((e) => e.type);
    expect(new Set(types).size).toBe(types.length);
    const shapes = registry.map((e) => `${e.pk} / ${e.sk}`);
    expect(new Set(shapes).size).toBe(shapes.length);
  });

  it("gives every partition prefix, table and index, exactly one owning capability", () => {
    const owners = new Map<string, Set<string>>();
    const note = (prefix: string, owner: string) => owners.set(prefix, (owners.get(prefix) ?? new Set()).add(owner));
    for (const e of registry) {
      note(templatePrefix(e.pk), e.owner);
      for (const index of indexesOf(e)) note(`${index.index}:${templatePrefix(index.pk)}`, e.owner);
    }
    const shared = [...owners].filter(([, who]) => who.size > 1).map(([prefix, who]) => `${prefix}: ${[...who].join(", ")}`);
    expect(shared).toEqual([]);
    for (const prefix of owners.keys()) expect(prefix.replace(/^gsi\d:/, "")).not.toBe("");
  });

  it("is the only place that names a key prefix or partition: no other source file spells one", () => {
    const prefixes = new Set<string>();
    for (const e of registry) {
      for (const template of [e.pk, e.sk, ...indexesOf(e).flatMap((i) => [i.pk, i.sk])]) {
        const prefix = templatePrefix(template);
        if (/^[A-Z][A-Z_]{2,}/.test(prefix)) prefixes.add(prefix);
      }
    }
    const offenders: string[] = [];
    const scanned = [...sourceFiles(join(root, "functions")), ...sourceFiles(join(root, "local"))].filter((f) => !f.includes(join("functions", "shared", "table")));
    for (const file of scanned) {
      const text = readFileSync(file, "utf8");
      for (const prefix of prefixes) {
        if (new RegExp(`["'\`]${prefix.replace(/[#$]/g, "\\$&")}${prefix.endsWith("#") ? "" : "[\"'`#]"}`).test(text)) offenders.push(`${relative(root, file)}: ${prefix}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("builds keys from the declared templates", () => {
    expect(Agent.key({ agentId: "li.na" })).toEqual({ pk: "AGENT#li.na", sk: "PROFILE" });
    expect(Seat.index.pool.attributes({ skill: "vip", rank: "00000#x" })).toEqual({ gsi1pk: "POOL#vip", gsi1sk: "00000#x" });
    expect(() => fillTemplate("AGENT#{agentId}", { agentId: "" })).toThrow(/needs "agentId"/);
  });

  it("parses stored items with their schema and rejects a malformed one with a typed error", () => {
    const stored = Agent.item(
      { agentId: "a1", name: "A", skills: ["presale"], maxConcurrent: 3, presence: "online", lastAssignedAt: "1970-01-01T00:00:00.000Z", updatedAt: "2026-12-01T00:00:00.000Z", updatedBy: "t" },
      Agent.index.all.attributes({ agentId: "a1" }),
    );
    expect(Agent.parse(stored)).toMatchObject({ agentId: "a1", load: 0, onDuty: false });
    const { maxConcurrent: _dropped, ...missingCapacity } = stored;
    const error = (() => {
      try {
        Agent.parse({ ...missingCapacity, load: "3" });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(MalformedItemError);
    expect(error).toMatchObject({ entity: "Agent", key: { pk: "AGENT#a1", sk: "PROFILE" } });
    expect(String((error as Error).message)).toMatch(/maxConcurrent/);
    expect(String((error as Error).message)).toMatch(/load/);
  });

  it("documents itself: docs/data-model.md is the registry's current rendering (npm run docs:data-model)", () => {
    expect(readFileSync(join(root, "docs", "data-model.md"), "utf8")).toBe(renderDataModel(registry));
  });
});
