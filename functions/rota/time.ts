/**
 * Calendar and time-zone arithmetic for the rota. Pure (luxon's tz database, no AWS).
 *
 * Rota dates are plain calendar dates (`YYYY-MM-DD`) handled as day numbers (days since
 * 1970-01-01), so "the 31st plus one" never meets a DST hour. Only turning a local wall-clock
 * time into an instant needs the zone, and that follows RFC 5545 (§3.3.5):
 * - a local time inside a DST gap (does not exist) is read with the offset in force before the
 *   gap, which moves it forward by the gap's length (02:30 on the New York spring-forward day
 *   is 03:30 EDT);
 * - a local time that occurs twice (fall-back) means its first occurrence.
 * luxon's own `DateTime.fromObject` picks the repeated time's offset from the current date,
 * so it is not deterministic for ambiguous times; we choose explicitly.
 */
import { DateTime, IANAZone } from "luxon";

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const hhmmPattern = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Day number of a valid `YYYY-MM-DD`, or undefined (e.g. 2025-02-29, 2024-13-01). */
export function parseDate(date: string): number | undefined {
  const match = datePattern.exec(date);
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) return undefined;
  return Math.round(ms / DAY_MS);
}

export function isValidDate(date: string): boolean {
  return parseDate(date) !== undefined;
}

/** Day number → `YYYY-MM-DD`. */
export function formatDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Day number of the UTC calendar day containing `instantMs`. */
export function utcDay(instantMs: number): number {
  return Math.floor(instantMs / DAY_MS);
}

/** Minutes after midnight of an `HH:mm`, or undefined when malformed. */
export function parseHhmm(value: string): number | undefined {
  const match = hhmmPattern.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * 60 + Number(match[2]);
}

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** UTC offset in minutes of `zone` at an instant. */
function offsetAt(zone: IANAZone, instantMs: number): number {
  return zone.offset(instantMs);
}

/**
 * The instant of local wall-clock time `minuteOfDay` on calendar `day` in `zoneName`,
 * with RFC 5545's gap and repeat rules (see the module comment).
 */
export function localToInstant(day: number, minuteOfDay: number, zoneName: string): number {
  const zone = IANAZone.create(zoneName);
  if (!zone.isValid) throw new RangeError(`unknown time zone ${zoneName}`);
  const wall = day * DAY_MS + minuteOfDay * MINUTE_MS;
  // Offsets in force around this wall time; zones change offset at most once a day or so.
  const candidates = [...new Set([offsetAt(zone, wall - DAY_MS), offsetAt(zone, wall), offsetAt(zone, wall + DAY_MS)])];
  const valid = candidates.map((o) => wall - o * MINUTE_MS).filter((ms) => offsetAt(zone, ms) * MINUTE_MS === wall - ms);
  // Repeated local time: the earliest instant is the first occurrence.
  if (valid.length > 0) return Math.min(...valid);
  // Gap: the offset before a spring-forward is the smaller one.
  return wall - Math.min(...candidates) * MINUTE_MS;
}

/** ISO-8601 with the zone's offset at that instant, e.g. `2025-03-09T03:30:00-04:00`. */
export function localIso(instantMs: number, zoneName: string): string {
  return DateTime.fromMillis(instantMs, { zone: zoneName }).toISO({ suppressMilliseconds: true }) ?? new Date(instantMs).toISOString();
}

export const dayMs = DAY_MS;
export const minuteMs = MINUTE_MS;
