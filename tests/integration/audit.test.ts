import { describe, expect, it } from "vitest";
import { useLocalStack } from "../support/stack.js";

const stack = useLocalStack();

type Entry = { action: string; at: string; details?: { n?: number } };

/** Writes `count` audit entries for one SKU straight into the table, one second apart. */
async function seedTrail(sku: string, count: number) {
  const { auditPut } = await import("../../functions/shared/audit.js");
  const { batchWrite } = await import("../../functions/shared/table/index.js");
  const start = Date.parse("2026-11-01T00:00:00.000Z");
  await batchWrite(
    Array.from({ length: count }, (_, n) => ({
      PutRequest: { Item: auditPut({ entity: "stock", entityId: sku, action: "stock.adjusted", actor: "supervisor:seed", at: new Date(start + n * 1000).toISOString(), details: { n } }).Put.Item },
    })),
  );
}

describe("audit trail API", () => {
  it("pages through a long trail with a next cursor, in a stable order, up to the newest entry", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const sku = s.uid("SKU");
    await seedTrail(sku, 520);

    const seen: number[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const page = await s.api("GET", `/audit/stock/${sku}${next ? `?cursor=${encodeURIComponent(next)}` : ""}`, { as: sup });
      expect(page.status).toBe(200);
      seen.push(...page.body.entries.map((e: Entry) => e.details?.n));
      next = page.body.next;
      pages++;
    } while (next && pages < 20);
    expect(pages).toBe(6); // 5 × 100 + 20, and no empty page at the end
    expect(seen).toEqual(Array.from({ length: 520 }, (_, n) => n));

    const newest = await s.api("GET", `/audit/stock/${sku}?order=newest&limit=20`, { as: sup });
    expect(newest.body.entries.map((e: Entry) => e.details?.n)).toEqual(Array.from({ length: 20 }, (_, i) => 519 - i));
    const older = await s.api("GET", `/audit/stock/${sku}?order=newest&limit=20&cursor=${encodeURIComponent(newest.body.next)}`, { as: sup });
    expect(older.body.entries[0].details.n).toBe(499);
  });

  it("answers a short trail in one page without a cursor", async () => {
    const s = stack();
    const sku = s.uid("SKU");
    await seedTrail(sku, 3);
    const page = await s.api("GET", `/audit/stock/${sku}?limit=3`, { as: await s.supervisor() });
    expect(page.body.entries).toHaveLength(3);
    expect(page.body.next).toBeUndefined();
  });

  it("rejects a bad limit, a forged cursor or another trail's cursor with a 400 naming the field", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const sku = s.uid("SKU");
    const other = s.uid("SKU");
    await seedTrail(sku, 3);
    await seedTrail(other, 3);
    for (const limit of ["0", "501", "ten", "1.5", "-1"]) {
      const res = await s.api("GET", `/audit/stock/${sku}?limit=${limit}`, { as: sup });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe("limit");
    }
    const forged = await s.api("GET", `/audit/stock/${sku}?cursor=not-a-cursor`, { as: sup });
    expect(forged.status).toBe(400);
    expect(forged.body.errors[0].field).toBe("cursor");
    const foreign = (await s.api("GET", `/audit/stock/${other}?limit=1`, { as: sup })).body.next;
    const crossed = await s.api("GET", `/audit/stock/${sku}?cursor=${encodeURIComponent(foreign)}`, { as: sup });
    expect(crossed.status).toBe(400);
    expect(crossed.body.errors[0].field).toBe("cursor");
    const unknown = await s.api("GET", `/audit/stock/${sku}?page=2`, { as: sup });
    expect(unknown.status).toBe(400);
  });

  it("answers a malformed stored audit entry with a logged 500, never a coerced value", async () => {
    const s = stack();
    const sku = s.uid("SKU");
    await seedTrail(sku, 1);
    const { AuditRecord, dynamo, tableName } = await import("../../functions/shared/table/index.js");
    const { PutCommand } = await import("@aws-sdk/lib-dynamodb");
    await dynamo.send(new PutCommand({ TableName: tableName, Item: { ...AuditRecord.key({ entity: "stock", entityId: sku, at: "2026-11-02T00:00:00.000Z", uuid: "x" }), type: AuditRecord.type, entity: "stock", entityId: sku, at: "2026-11-02T00:00:00.000Z" } }));
    const res = await s.api("GET", `/audit/stock/${sku}`, { as: await s.supervisor() });
    expect(res.status).toBe(500);
    expect(res.body.type).toBe("/problems/internal");
  });
});
