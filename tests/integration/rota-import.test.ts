import { describe, expect, it } from "vitest";
import { useLocalStack } from "../support/stack.js";

const stack = useLocalStack();

async function setup() {
  const s = stack();
  const sup = await s.supervisor("sup-import");
  const agents = [s.uid("agent"), s.uid("agent")];
  for (const id of agents) await s.api("PUT", `/agents/${id}`, { as: sup, body: { name: id, skills: ["presale"], maxConcurrent: 4 } });
  const early = s.uid("early");
  const night = s.uid("night");
  await s.api("PUT", `/shifts/${early}`, { as: sup, body: { name: "Early", start: "08:00", end: "16:00", timeZone: "Asia/Shanghai" } });
  await s.api("PUT", `/shifts/${night}`, { as: sup, body: { name: "Night", start: "22:00", end: "06:00", timeZone: "Asia/Shanghai" } });
  const csv = (text: string, at?: Date) => s.api("POST", "/rota/import", { as: sup, raw: text, headers: { "content-type": "text/csv; charset=utf-8" }, ...(at ? { at } : {}) });
  const roster = async () => {
    const res = await s.api("GET", "/rota?from=2030-11-01&to=2030-11-30", { as: sup });
    return res.body.occurrences.filter((o: { agentId: string }) => agents.includes(o.agentId)).map((o: { agentId: string; date: string; shiftId: string }) => `${o.agentId} ${o.date} ${o.shiftId}`);
  };
  return { s, sup, agents, early, night, csv, roster };
}

describe("rota CSV import", () => {
  it("imports a real-world CSV (BOM, CRLF, quotes) and replaces those agents' assignments in its date range", async () => {
    const { agents, early, night, csv, roster } = await setup();
    const [a, b] = agents as [string, string];
    const first = ["\uFEFFagent,date,shift", `${a},2030-11-10,${early}`, `"${a}","2030-11-11","${night}"`, `${a},2030-11-12,off`, `${b},2030-11-11,${early}`, ""].join("\r\n");
    const res = await csv(first);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ from: "2030-11-10", to: "2030-11-12", rows: 4, agents: 2, written: 4, removed: 0 });
    expect(await roster()).toEqual([`${a} 2030-11-10 ${early}`, `${b} 2030-11-11 ${early}`, `${a} 2030-11-11 ${night}`]);

    // Files for a alone: the second covers 11-09…11-10 (11-10 becomes night); the third covers 11-10…11-12
    // and omits 11-11, so a's night on 11-11 is removed and 11-12 changes from off to early. b is untouched.
    const second = await csv(`agent,date,shift\n${a},2030-11-10,${night}\n${a},2030-11-09,${early}\n`);
    expect(second.body).toMatchObject({ from: "2030-11-09", to: "2030-11-10", written: 2, removed: 0 });
    const third = await csv(`agent,date,shift\n${a},2030-11-10,${night}\n${a},2030-11-12,${early}\n`);
    expect(third.body).toMatchObject({ from: "2030-11-10", to: "2030-11-12", written: 1, removed: 1 });
    expect(await roster()).toEqual([`${a} 2030-11-09 ${early}`, `${a} 2030-11-10 ${night}`, `${b} 2030-11-11 ${early}`, `${a} 2030-11-12 ${early}`]);

    const { auditTrail } = await import("../../functions/shared/audit.js");
    const trail = await auditTrail("rota", a);
    expect(trail.filter((t) => t.action === "rota.imported")).toHaveLength(3);
    expect(trail.every((t) => t.actor === "supervisor:sup-import")).toBe(true);
  });

  it("rejects a file with any bad row, listing every row and column, and leaves the rota unchanged", async () => {
    const { s, agents, early, csv, roster } = await setup();
    const [a, b] = agents as [string, string];
    expect((await csv(`agent,date,shift\n${a},2030-11-20,${early}\n${b},2030-11-20,${early}\n`)).status).toBe(200);
    const before = await roster();
    const ghost = s.uid("ghost");
    const bad = await csv(
      [
        "agent,date,shift",
        `${a},2030-11-20,off`, // would change a's day: must not be applied
        `${ghost},2030-11-21,${early}`,
        `${b},2030-11-31,${early}`,
        `${b},2030-11-22,lunch`,
        `${a},2030-11-20,${early}`,
        "",
      ].join("\n"),
    );
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(["row 3, agent", "row 4, date", "row 5, shift", "row 6, date"]);
    expect(bad.body.errors[0].message).toContain(ghost);
    expect(bad.body.errors[3].message).toMatch(/duplicate/);
    expect(await roster()).toEqual(before);

    const missingColumn = await csv(`agent,day,shift\n${a},2030-11-20,off\n`);
    expect(missingColumn.status).toBe(400);
    expect(missingColumn.body.errors[0].field).toBe("row 1, date");
    const broken = await csv(`agent,date,shift\n${a},"2030-11-20,off\n`);
    expect(broken.status).toBe(400);
    expect(await roster()).toEqual(before);
  });

  it("answers 415 to anything but text/csv", async () => {
    const { s, sup, agents, early } = await setup();
    const res = await s.api("POST", "/rota/import", { as: sup, body: [{ agent: agents[0], date: "2030-11-25", shift: early }] });
    expect(res.status).toBe(415);
    expect(res.body.title).toBe("Unsupported media type");
  });

  it("puts imported agents on duty at once when their shift is running", async () => {
    const { s, sup, agents, early, csv } = await setup();
    const [a] = agents as [string];
    // 2030-11-26 08:00-16:00 Shanghai = 00:00Z-08:00Z.
    const res = await csv(`agent,date,shift\n${a},2030-11-26,${early}\n`, new Date("2030-11-26T03:00:00Z"));
    expect(res.status).toBe(200);
    expect((await s.api("GET", `/agents/${a}`, { as: sup })).body).toMatchObject({ onDuty: true, shift: { shiftId: early, to: "2030-11-26T08:00:00.000Z" } });
    const onDuty = await s.api("GET", "/rota/on-duty?skill=presale", { as: sup, at: new Date("2030-11-26T03:01:00Z") });
    expect(onDuty.body.agents.map((x: { agentId: string }) => x.agentId)).toContain(a);
  });
});
