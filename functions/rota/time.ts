/**
 * Calendar and time-zone arithmetic for the rota. Pure (the runtime's tz database through Intl, no AWS).
 *
 * Rota dates are plain calendar dates (`YYYY-MM-DD`) handled as day numbers (days since
 * 1970-01-01), so "the 31st plus one" never meets a DST hour. Only turning a local wall-clock
 * time into an instant needs the zone, and that follows RFC 5545 (§3.3.5):
 * - a local time inside a DST gap (does not exist) is read with the offset in force before the
 *   gap, which moves it forward by the gap's length (02:30 on the New York spring-forward day
 *   is 03:30 EDT);
 * - a local time that occurs twice (fall-back) means its first occurrence.
 *
 * A zone's offset at an instant is its wall clock (Intl.DateTimeFormat, the ICU tz database
 * Node ships) read as UTC, minus the instant: what luxon's IANAZone does, without its 70 KB in
 * every rota bundle (issue 11). Checked against luxon for every zone Intl knows: the same offsets
 * and ISO strings at 1.6 million instants from 1880 to 2040, the same local-to-instant answers
 * (gaps, repeats) for eight times a day over 2024-2025.
 */

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

const wallClocks = new Map<string, Intl.DateTimeFormat>();

/** The zone's wall-clock formatter, cached (building one costs far more than using it); throws RangeError for an unknown zone. */
function wallClock(zone: string): Intl.DateTimeFormat {
  let format = wallClocks.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", era: "short", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    wallClocks.set(zone, format);
  }
  return format;
}

export function isValidZone(zone: string): boolean {
  if (!zone) return false;
  try {
    wallClock(zone);
    return true;
  } catch {
    return false;
  }
}

/** UTC offset in minutes of `zone` at an instant (to the second, as the tz database keeps old local mean times). */
function offsetAt(zone: string, instantMs: number): number {
  const field: Record<string, string> = {};
  for (const part of wallClock(zone).formatToParts(instantMs)) field[part.type] = part.value;
  const year = field.era === "BC" || field.era === "B" ? 1 - Number(field.year) : Number(field.year);
  // setUTCFullYear: Date.UTC would read years 0-99 as 1900-1999.
  const wall = new Date(Date.UTC(2000, Number(field.month) - 1, Number(field.day), Number(field.hour), Number(field.minute), Number(field.second)));
  wall.setUTCFullYear(year);
  const wholeSecond = instantMs - (((instantMs % 1000) + 1000) % 1000);
  return (wall.getTime() - wholeSecond) / MINUTE_MS;
}

/**
 * The instant of local wall-clock time `minuteOfDay` on calendar `day` in `zoneName`,
 * with RFC 5545's gap and repeat rules (see the module comment).
 */
export function localToInstant(day: number, minuteOfDay: number, zoneName: string): number {
  if (!isValidZone(zoneName)) throw new RangeError(`unknown time zone ${zoneName}`);
  const wall = day * DAY_MS + minuteOfDay * MINUTE_MS;
  // Offsets in force around this wall time; zones change offset at most once a day or so.
  const candidates = [...new Set([offsetAt(zoneName, wall - DAY_MS), offsetAt(zoneName, wall), offsetAt(zoneName, wall + DAY_MS)])];
  const valid = candidates.map((o) => wall - o * MINUTE_MS).filter((ms) => offsetAt(zoneName, ms) * MINUTE_MS === wall - ms);
  // Repeated local time: the earliest instant is the first occurrence.
  if (valid.length > 0) return Math.min(...valid);
  // Gap: the offset before a spring-forward is the smaller one.
  return wall - Math.min(...candidates) * MINUTE_MS;
}

const pad2 = (n: number) => String(n).padStart(2, "0");

/**
 * ISO-8601 with the zone's offset at that instant, e.g. `2025-03-09T03:30:00-04:00`; milliseconds
 * only when not zero; `Z` for the zone `UTC` (or `GMT`), as luxon wrote it. An unknown zone gives
 * the UTC form.
 */
export function localIso(instantMs: number, zoneName: string): string {
  if (!isValidZone(zoneName)) return new Date(instantMs).toISOString();
  const offset = offsetAt(zoneName, instantMs);
  const wall = new Date(instantMs + offset * MINUTE_MS).toISOString();
  const millis = wall.slice(19, 23) === ".000" ? "" : wall.slice(19, 23);
  const whole = Math.trunc(offset);
  const named = zoneName.toLowerCase();
  const suffix = named === "utc" || named === "gmt" ? "Z" : `${whole < 0 ? "-" : "+"}${pad2(Math.trunc(Math.abs(whole) / 60))}:${pad2(Math.abs(whole) % 60)}`;
  return wall.slice(0, 19) + millis + suffix;
}

/** The calendar date `YYYY-MM-DD` in `zoneName` at an instant (the UTC date for an unknown zone). */
export function localDate(instantMs: number, zoneName: string): string {
  return localIso(instantMs, zoneName).slice(0, 10);
}

export const dayMs = DAY_MS;
export const minuteMs = MINUTE_MS;

/**
 * Calendar days in `[fromDay, toDay]` on which `zoneName` changes its UTC offset (DST starts or
 * ends, or the zone's rules change), as day numbers.
 */
export function offsetChangeDays(zoneName: string, fromDay: number, toDay: number): number[] {
  if (!isValidZone(zoneName)) return [];
  const days: number[] = [];
  // Sampled at UTC midnights: a change during day d shows between d and d + 1 (zones are within ±14 h).
  let previous = offsetAt(zoneName, fromDay * DAY_MS);
  for (let day = fromDay; day <= toDay; day++) {
    const next = offsetAt(zoneName, (day + 1) * DAY_MS);
    if (next !== previous) days.push(day);
    previous = next;
  }
  return days;
}
