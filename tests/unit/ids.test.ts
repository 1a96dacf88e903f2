/** The one path-id grammar (issue 12, item 2): no id that a URL normaliser rewrites. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isDotSegment, pathIdSchema } from "../../functions/shared/ids.js";
import { orderIdSchema, reservationSchema, skuSchema } from "../../functions/stock/domain.js";

const id = pathIdSchema("id");

describe("path id grammar", () => {
  it("rejects dot segments and ids made only of dots, with one message each", () => {
    for (const dots of [".", "..", "...", "....."]) {
      const result = id.safeParse(dots);
      expect(result.success).toBe(false);
      expect(result.error?.issues).toHaveLength(1);
      expect(result.error?.issues[0]?.message).toMatch(/only of dots/);
    }
  });

  it("rejects the empty, the over-long and anything outside the alphabet (percent-encoding, slashes, spaces)", () => {
    for (const bad of ["", "x".repeat(129), "%2e%2e", "a/b", "a b", "a\u0000", "中文"]) {
      const result = id.safeParse(bad);
      expect(result.success).toBe(false);
      expect(result.error?.issues).toHaveLength(1);
    }
  });

  it("accepts ids with dots that are not only dots", () => {
    for (const good of ["a", "a.b", ".a", "a..", "..a", "order:2031-01-01.1", "x".repeat(128)]) expect(id.safeParse(good).success).toBe(true);
  });

  it("an accepted id survives URL normalisation unchanged as a path segment", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,128}$/), (candidate) => {
        const accepted = id.safeParse(candidate).success;
        const survives = new URL(`http://h/x/${candidate}/y`).pathname === `/x/${candidate}/y`;
        expect(accepted).toBe(!isDotSegment(candidate));
        if (accepted) expect(survives).toBe(true);
      }),
    );
  });
});

describe("stock ids use it", () => {
  it("rejects '.' and '..' as a SKU and as an order id, in the body too", () => {
    for (const dots of [".", ".."]) {
      expect(skuSchema.safeParse(dots).success).toBe(false);
      expect(orderIdSchema.safeParse(dots).success).toBe(false);
    }
    const result = reservationSchema.safeParse({ orderId: "..", lines: [{ sku: ".", qty: 1 }] });
    expect(result.error?.issues.map((i) => i.path.join(".")).sort()).toEqual(["lines.0.sku", "orderId"]);
  });

  it("keeps the SKU's narrower rules (≤ 64, no ':', no route word) and the order id's 80", () => {
    expect(skuSchema.safeParse("a:b").success).toBe(false);
    expect(skuSchema.safeParse("x".repeat(65)).success).toBe(false);
    expect(skuSchema.safeParse("drift").success).toBe(false);
    expect(skuSchema.safeParse("tee.red-M").success).toBe(true);
    expect(orderIdSchema.safeParse("x".repeat(81)).success).toBe(false);
    expect(orderIdSchema.safeParse("shop:o.1").success).toBe(true);
  });
});
