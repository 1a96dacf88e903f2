/**
 * The wall's adherence alerts (console/src/supervisor/alerts.ts): one per agent from the
 * `adherence.alert` push, gone when a queue read begun after it shows the agent online again (or
 * off duty, or deactivated); a read begun before it, or one that does not list the agent, keeps it.
 */
import { describe, expect, it } from "vitest";
import type { AdherenceAlertPush } from "../../console/src/api/types.js";
import { afterQueueRead, lapseMinutes, withAlert } from "../../console/src/supervisor/alerts.js";

const push = (agentId: string, since: string, presence: AdherenceAlertPush["presence"] = "offline"): AdherenceAlertPush => ({
  type: "adherence.alert",
  agentId,
  presence,
  since,
  minutes: 6,
  thresholdMinutes: 5,
  shift: { shiftId: "day", from: "2031-06-03T09:00:00.000Z", to: "2031-06-03T17:00:00.000Z" },
  at: "2031-06-03T09:06:00.000Z",
});
const agent = (agentId: string, presence: AdherenceAlertPush["presence"], onDuty = true, active = true) => ({ agentId, presence, onDuty, active });

describe("adherence alerts on the wall", () => {
  it("keeps one alert per agent, the latest lapse replacing the earlier, newest lapse first", () => {
    let alerts = withAlert([], push("a", "2031-06-03T09:00:00.000Z"), 1_000);
    alerts = withAlert(alerts, push("b", "2031-06-03T09:03:00.000Z"), 1_100);
    alerts = withAlert(alerts, push("a", "2031-06-03T09:20:00.000Z", "away"), 1_200);
    expect(alerts.map((a) => [a.agentId, a.since, a.presence])).toEqual([
      ["a", "2031-06-03T09:20:00.000Z", "away"],
      ["b", "2031-06-03T09:03:00.000Z", "offline"],
    ]);
    expect(alerts[0]).not.toHaveProperty("type");
    expect(alerts[0]?.receivedAt).toBe(1_200);
  });

  it("clears an alert when a later queue read shows the agent online, off duty or deactivated", () => {
    const alerts = ["a", "b", "c", "d"].map((id, i) => ({ ...push(id, `2031-06-03T09:0${i}:00.000Z`), receivedAt: 1_000 })).map(({ type: _t, ...a }) => a);
    const left = afterQueueRead(alerts, [agent("a", "online"), agent("b", "away", false), agent("c", "offline", true, false), agent("d", "paused")], 2_000);
    expect(left.map((a) => a.agentId)).toEqual(["d"]);
  });

  it("keeps alerts a read begun before them cannot speak for, and agents the read does not list", () => {
    const alerts = withAlert([], push("a", "2031-06-03T09:00:00.000Z"), 5_000);
    expect(afterQueueRead(alerts, [agent("a", "online")], 4_999)).toEqual(alerts);
    expect(afterQueueRead(alerts, [agent("a", "online")], 5_000)).toEqual(alerts);
    expect(afterQueueRead(alerts, [agent("x", "online")], 6_000)).toEqual(alerts);
    expect(afterQueueRead(alerts, [agent("a", "online")], 6_000)).toEqual([]);
  });

  it("counts the lapse's minutes on from its start, never fewer than pushed", () => {
    const alert = { since: "2031-06-03T09:00:00.000Z", minutes: 6 };
    expect(lapseMinutes(alert, Date.parse("2031-06-03T09:02:00.000Z"))).toBe(6);
    expect(lapseMinutes(alert, Date.parse("2031-06-03T09:10:59.000Z"))).toBe(10);
  });
});
