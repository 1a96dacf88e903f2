/**
 * Issue 17 item 2: adherence on the local stack. Presence changes at controlled instants (the test
 * clock) against a rota; the report's minutes out of adherence; the live alert to supervisors,
 * once per lapse, from the duty clock.
 */
import { describe, expect, it } from "vitest";
import { useLocalStack } from "../support/stack.js";

const stack = useLocalStack();
const utc = (date: string, hhmm: string) => new Date(`${date}T${hhmm}:00.000Z`);

async function rotaAgent(s: ReturnType<typeof stack>, sup: string, shiftId: string, date: string): Promise<string> {
  const id = s.uid("adh");
  expect((await s.api("PUT", `/agents/${id}`, { as: sup, body: { name: id, skills: ["presale"], maxConcurrent: 3 } })).status).toBe(201);
  expect((await s.api("PUT", "/rota", { as: sup, at: utc(date, "06:00"), body: { assignments: [{ agentId: id, date, shiftId }] } })).status).toBe(200);
  return id;
}

describe("adherence", () => {
  it("reports scheduled vs actual presence per agent and interval, minutes out of adherence and the team's rate", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const shiftId = s.uid("morning");
    expect((await s.api("PUT", `/shifts/${shiftId}`, { as: sup, body: { name: "Morning", start: "09:00", end: "13:00", timeZone: "UTC" } })).status).toBe(201);
    const date = "2031-06-02";
    const a = await rotaAgent(s, sup, shiftId, date);
    const b = await rotaAgent(s, sup, shiftId, date);
    const presence = async (agentId: string, hhmm: string, status: string) => {
      const res = await s.api("PUT", `/agents/${agentId}/presence`, { as: await s.agentToken(agentId), at: utc(date, hhmm), body: { status } });
      expect(res.status).toBe(200);
    };
    // a: online before the shift, away 10:00-10:20, paused 12:00-12:30, then offline.
    await presence(a, "08:50", "online");
    await presence(a, "10:00", "away");
    await presence(a, "10:20", "online");
    await presence(a, "12:00", "paused");
    await presence(a, "12:30", "offline");
    // b: 10 minutes late, stays online 30 minutes past the shift.
    await presence(b, "09:10", "online");
    await presence(b, "13:30", "offline");

    const res = await s.api("GET", `/adherence?from=${date}T08:00:00Z&to=${date}T14:00:00Z&interval=60`, { as: sup });
    expect(res.status).toBe(200);
    const of = (id: string) => res.body.agents.find((x: { agentId: string }) => x.agentId === id);
    expect(of(a)).toMatchObject({ scheduledMinutes: 240, inAdherenceMinutes: 160, outOfAdherenceMinutes: 80, adherence: 0.6667, unscheduledOnlineMinutes: 10 });
    expect(of(b)).toMatchObject({ scheduledMinutes: 240, inAdherenceMinutes: 230, outOfAdherenceMinutes: 10, adherence: 0.9583, unscheduledOnlineMinutes: 30 });
    expect(res.body.team).toMatchObject({ agents: 2, scheduledMinutes: 480, inAdherenceMinutes: 390, outOfAdherenceMinutes: 90, adherence: 0.8125 });
    const cell = (id: string, hh: string) => of(id).intervals.find((i: { from: string }) => i.from === `${date}T${hh}:00:00.000Z`);
    expect(cell(a, "08")).toMatchObject({ scheduledMinutes: 0, unscheduledOnlineMinutes: 10 });
    expect(cell(a, "10")).toMatchObject({ scheduledMinutes: 60, scheduled: { online: 40, away: 20, paused: 0, offline: 0 }, outOfAdherenceMinutes: 20 });
    expect(cell(a, "12")).toMatchObject({ scheduledMinutes: 60, scheduled: { online: 0, paused: 30, offline: 30 }, outOfAdherenceMinutes: 60 });
    expect(cell(b, "09")).toMatchObject({ scheduled: { online: 50, offline: 10 }, outOfAdherenceMinutes: 10 });
    expect(cell(b, "13")).toMatchObject({ scheduledMinutes: 0, unscheduledOnlineMinutes: 30 });

    // One agent only, and a window starting mid-shift: the state at `from` comes from the change before it.
    const mid = await s.api("GET", `/adherence?from=${date}T10:10:00Z&to=${date}T11:00:00Z&agentId=${a}`, { as: sup });
    expect(mid.body.agents).toHaveLength(1);
    expect(mid.body.agents[0]).toMatchObject({ agentId: a, scheduledMinutes: 50, inAdherenceMinutes: 40, outOfAdherenceMinutes: 10 });

    for (const [q, field] of [
      [`from=${date}T14:00:00Z&to=${date}T08:00:00Z`, "to"],
      [`from=${date}T00:00:00Z&to=2031-06-10T00:00:00Z`, "to"],
      [`from=${date}T08:00:00Z&to=${date}T14:00:00Z&interval=45`, "interval"],
      [`from=${date}&to=${date}T14:00:00Z`, "from"],
      [`from=${date}T08:00:00Z&to=${date}T14:00:00Z&agent=x`, "agent"],
    ] as const) {
      const bad = await s.api("GET", `/adherence?${q}`, { as: sup });
      expect(bad.status, q).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field), q).toContain(field);
    }
    expect((await s.api("GET", `/adherence?from=${date}T08:00:00Z&to=${date}T14:00:00Z`, { as: await s.agentToken(a) })).status).toBe(403);
  }, 180_000);

  it("alerts supervisors once per lapse when an on-duty agent has not been online for more than ADHERENCE_ALERT_MINUTES", async () => {
    const s = stack();
    const sup = await s.supervisor();
    const shiftId = s.uid("day");
    expect((await s.api("PUT", `/shifts/${shiftId}`, { as: sup, body: { name: "Day", start: "09:00", end: "17:00", timeZone: "UTC" } })).status).toBe(201);
    const date = "2031-06-03";
    const c = await rotaAgent(s, sup, shiftId, date);
    const socket = await s.connect(sup);
    try {
      const alerts = () => socket.messages.filter((m: any) => m.type === "adherence.alert" && m.agentId === c);
      const tick = async (hhmm: string) => (await s.runSchedule("RotaDutyClock", utc(date, hhmm))) as { adherenceAlerts: string[] };

      // Never online: the lapse runs from the shift's start; 4 minutes is within the 5-minute setting.
      expect((await tick("09:04")).adherenceAlerts).not.toContain(c);
      expect((await tick("09:06")).adherenceAlerts).toEqual([c]);
      const first = await socket.waitFor((m) => m.type === "adherence.alert" && m.agentId === c, 15_000);
      expect(first).toMatchObject({ presence: "offline", since: `${date}T09:00:00.000Z`, minutes: 6, thresholdMinutes: 5, shift: { shiftId } });
      // The same lapse is not alerted again on later ticks.
      expect((await tick("09:07")).adherenceAlerts).toEqual([]);
      expect((await tick("09:08")).adherenceAlerts).toEqual([]);

      // Online, then away: a new lapse from 09:20, alerted once past 09:25.
      await s.api("PUT", `/agents/${c}/presence`, { as: sup, at: utc(date, "09:10"), body: { status: "online" } });
      expect((await tick("09:12")).adherenceAlerts).toEqual([]);
      await s.api("PUT", `/agents/${c}/presence`, { as: sup, at: utc(date, "09:20"), body: { status: "away" } });
      expect((await tick("09:24")).adherenceAlerts).toEqual([]);
      expect((await tick("09:26")).adherenceAlerts).toEqual([c]);
      expect((await tick("09:27")).adherenceAlerts).toEqual([]);
      await s.eventually(async () => alerts().length === 2);
      expect(alerts()[1]).toMatchObject({ presence: "away", since: `${date}T09:20:00.000Z`, minutes: 6 });

      // After the shift: off duty, no alert.
      expect((await tick("17:30")).adherenceAlerts).toEqual([]);
      // Nothing else arrived for this agent in the meantime.
      expect(alerts()).toHaveLength(2);
    } finally {
      await socket.close();
    }
  }, 180_000);
});
