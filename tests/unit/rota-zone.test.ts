import { describe, expect, it } from "vitest";
import { zoneSchema } from "../../functions/rota/domain.js";

describe("shift time zones", () => {
  it("stores a zone in its canonical IANA spelling, so equal zones compare equal", () => {
    expect(zoneSchema.parse("asia/shanghai")).toBe("Asia/Shanghai");
    expect(zoneSchema.parse("EUROPE/LONDON")).toBe("Europe/London");
    expect(zoneSchema.parse("Asia/Shanghai")).toBe("Asia/Shanghai");
    expect(zoneSchema.safeParse("Mars/Olympus").success).toBe(false);
  });
});
