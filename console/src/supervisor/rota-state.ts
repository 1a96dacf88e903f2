/**
 * The rota editor's state: one week (Monday to Sunday in the shop's zone) of every agent's
 * resolved shifts (`GET /rota`, the occurrences as the resolver makes them: assignments,
 * patterns, overrides, swaps, leave), the shifts, and the week's exceptions. Read once when the
 * screen opens, when the week changes and after each change of this supervisor (coalesced);
 * the rota is not pushed.
 *
 * Overlaps are flagged two ways: a change the API refuses (409 `/problems/shift-overlap`, nothing
 * written) leaves its `overlaps` on the cells of both sides until the next change; overlaps already
 * in the rota (accepted with "allow overlap", or made by an exception, which the API does not
 * check) are found in the occurrences read, a day wider than the week on each side.
 */
import { computed, signal } from "@preact/signals";
import { api, ApiError } from "../api/client.js";
import type { AgentView, Problem, ResolvedRota, RotaException, RotaExceptionInput, RotaInput, Shift, ShiftInput, ShiftOccurrence, ShiftOverlap } from "../api/types.js";
import { refresher } from "../live/refresher.js";

const dayMs = 86_400_000;

/** `YYYY-MM-DD` + n days (plain calendar arithmetic). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * dayMs).toISOString().slice(0, 10);
}

/** Today's calendar date in `timeZone`. */
export function todayIn(timeZone: string, at = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

/** The Monday of the week holding `date`. */
export function mondayOf(date: string): string {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(date, -((weekday + 6) % 7));
}

/** The instant of a local wall-clock time (`date` `HH:mm`) in `timeZone`, as ISO with offset Z. */
export function localInstant(date: string, hhmm: string, timeZone: string): string {
  const naive = Date.parse(`${date}T${hhmm}:00Z`);
  const offsetAt = (ms: number) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" })
        .formatToParts(new Date(ms))
        .map((p) => [p.type, p.value]),
    );
    return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)) - ms;
  };
  // Twice: the offset at the first guess may differ from the one at the answer (a DST change between).
  let guess = naive - offsetAt(naive);
  guess = naive - offsetAt(guess);
  return new Date(guess).toISOString();
}

/** `22:00` from an occurrence's local ISO time. */
export const clock = (local: string) => local.slice(11, 16);

/** The `row N, column` of an import error (the API names CSV rows as a spreadsheet shows them). */
export function rowAndColumn(field: string): { row: number | null; column: string | null } {
  const match = /^row (\d+)(?:, (.+))?$/.exec(field);
  if (match) return { row: Number(match[1]), column: match[2] ?? null };
  return { row: null, column: field === "(body)" ? null : field };
}

export interface CellOverlap {
  /** The other occurrence: the one this cell's shift overlaps. */
  other: Pick<ShiftOccurrence, "date" | "shiftId" | "shiftName" | "localFrom" | "localTo" | "timeZone">;
  mine: Pick<ShiftOccurrence, "date" | "shiftId" | "shiftName" | "localFrom" | "localTo" | "timeZone">;
  minutes: number;
  /** Refused by the API just now (not written), or already in the rota. */
  refused: boolean;
}

export type RotaState = ReturnType<typeof createRota>;

const describe = (error: unknown) => (error instanceof ApiError ? error.describe() : String(error));
export const cellKey = (agentId: string, date: string) => `${agentId}|${date}`;

export function createRota(shopTimeZone: string) {
  const weekStart = signal(mondayOf(todayIn(shopTimeZone)));
  const agents = signal<AgentView[]>([]);
  const shifts = signal<Shift[]>([]);
  const rota = signal<ResolvedRota | null>(null);
  const exceptions = signal<RotaException[]>([]);
  const failure = signal<string | null>(null);
  /** The last change's answer in words (success or refusal), for the live region. */
  const message = signal<string | null>(null);
  /** Overlaps of the last refused change, shown on both sides' cells. */
  const refused = signal<ShiftOverlap[]>([]);
  /** The last refused change, so "save anyway" can resend it with allowOverlap. */
  const refusedChange = signal<RotaInput | null>(null);

  const days = computed(() => Array.from({ length: 7 }, (_, i) => addDays(weekStart.value, i)));

  const reader = refresher(
    async () => {
      const from = weekStart.value;
      const to = addDays(from, 6);
      // A day wider on each side: an overnight shift of Sunday or the Monday before can overlap this week's.
      const [a, s, r, e] = await Promise.all([api.agents(), api.shifts(), api.rota(addDays(from, -1), addDays(to, 1)), api.rotaExceptions(addDays(from, -1), to)]);
      if (from !== weekStart.value) return; // the week changed meanwhile: the next read is queued
      agents.value = [...a.agents].sort((x, y) => x.name.localeCompare(y.name) || x.agentId.localeCompare(y.agentId));
      shifts.value = [...s.shifts].sort((x, y) => x.start.localeCompare(y.start) || x.shiftId.localeCompare(y.shiftId));
      rota.value = r;
      exceptions.value = e.exceptions;
    },
    { minGapMs: 300, onError: (error) => (failure.value = describe(error)) },
  );

  /** Occurrences per agent and date (the week and a day either side). */
  const byCell = computed(() => {
    const map = new Map<string, ShiftOccurrence[]>();
    for (const o of rota.value?.occurrences ?? []) {
      const key = cellKey(o.agentId, o.date);
      map.set(key, [...(map.get(key) ?? []), o]);
    }
    for (const list of map.values()) list.sort((x, y) => x.from.localeCompare(y.from));
    return map;
  });

  /** Overlaps per cell: those already in the rota (from the occurrences) and the last refused change's. */
  const overlapsByCell = computed(() => {
    const map = new Map<string, CellOverlap[]>();
    const add = (agentId: string, overlap: CellOverlap) => {
      const key = cellKey(agentId, overlap.mine.date);
      map.set(key, [...(map.get(key) ?? []), overlap]);
    };
    const perAgent = new Map<string, ShiftOccurrence[]>();
    for (const o of rota.value?.occurrences ?? []) perAgent.set(o.agentId, [...(perAgent.get(o.agentId) ?? []), o]);
    for (const [agentId, list] of perAgent) {
      const sorted = [...list].sort((x, y) => x.from.localeCompare(y.from));
      for (let i = 0; i < sorted.length; i++) {
        for (let j = i + 1; j < sorted.length; j++) {
          const a = sorted[i] as ShiftOccurrence;
          const b = sorted[j] as ShiftOccurrence;
          if (Date.parse(b.from) >= Date.parse(a.to)) break;
          const minutes = Math.round((Math.min(Date.parse(a.to), Date.parse(b.to)) - Date.parse(b.from)) / 60_000);
          add(agentId, { mine: a, other: b, minutes, refused: false });
          add(agentId, { mine: b, other: a, minutes, refused: false });
        }
      }
    }
    for (const o of refused.value) {
      add(o.agentId, { mine: o.first, other: o.second, minutes: o.minutes, refused: true });
      add(o.agentId, { mine: o.second, other: o.first, minutes: o.minutes, refused: true });
    }
    return map;
  });

  /** Runs a change, re-reads the week; true when it was accepted. */
  async function change(run: () => Promise<unknown>, done: string): Promise<boolean> {
    failure.value = null;
    message.value = null;
    refused.value = [];
    refusedChange.value = null;
    let ok = true;
    try {
      await run();
      message.value = done;
    } catch (error) {
      ok = false;
      failure.value = describe(error);
      if (error instanceof ApiError && error.status === 409) {
        const overlaps = (error.problem as Problem & { overlaps?: ShiftOverlap[] }).overlaps;
        if (Array.isArray(overlaps)) refused.value = overlaps;
      }
    }
    await reader.now();
    return ok;
  }

  return {
    weekStart,
    days,
    agents,
    shifts,
    rota,
    exceptions,
    failure,
    message,
    refused,
    refusedChange,
    byCell,
    overlapsByCell,
    shopTimeZone,
    load: () => reader.request(),
    reload: () => reader.now(),
    setWeek(monday: string) {
      weekStart.value = mondayOf(monday);
      refused.value = [];
      reader.request();
    },
    putShift: (shiftId: string, input: ShiftInput, done: string) => change(() => api.putShift(shiftId, input), done),
    async putRota(input: RotaInput, done: string): Promise<boolean> {
      const ok = await change(() => api.putRota(input), done);
      if (!ok && refused.value.length > 0) refusedChange.value = input;
      return ok;
    },
    createException: (input: RotaExceptionInput, done: string) => change(() => api.createException(input), done),
    deleteException: (exceptionId: string, done: string) => change(() => api.deleteException(exceptionId), done),
    /** After an import (its own panel shows the rows' errors): the refused overlaps too, and a re-read. */
    async imported(overlaps: ShiftOverlap[]): Promise<void> {
      refused.value = overlaps;
      await reader.now();
    },
    dispose: () => reader.stop(),
  };
}
