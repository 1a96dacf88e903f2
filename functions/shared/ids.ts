/**
 * The one grammar for ids that appear in a URL path (conversation, order, SKU, agent…): 1–128
 * letters, digits, `_`, `.`, `:` or `-`, and not only dots. `.` and `..` are dot segments that
 * every URL normaliser (browsers, fetch, proxies, `new URL`) rewrites, so such an id could be
 * stored but never addressed again (`/conversations/../close` becomes `/close`); `...` is
 * rewritten by some servers too. Every boundary that accepts a path-addressable id — path, body,
 * webhook — uses this schema, so an id that passes can always be addressed.
 */
import * as z from "zod/mini";

export const pathIdPattern = /^[A-Za-z0-9_.:-]{1,128}$/;

/** True when `id` is made of dots alone (`.`, `..`, …): a segment URL normalisers rewrite. */
export function isDotSegment(id: string): boolean {
  return /^\.+$/.test(id);
}

/**
 * A path-addressable id named `label` in error messages. Capabilities may narrow it further
 * (shorter, fewer characters, reserved words) but never widen it.
 *
 * @example
 * const orderIdSchema = pathIdSchema("order id");
 * orderIdSchema.safeParse("..").success; // false
 */
export function pathIdSchema(label: string) {
  // `abort`: an id outside the alphabet gets one message, not one per later check.
  return z.string().check(
    z.regex(pathIdPattern, { error: `${label} must be 1-128 letters, digits, '.', '_', ':' or '-'`, abort: true }),
    z.refine((id: string) => !isDotSegment(id), { error: `${label} must not consist only of dots (URLs rewrite '.' and '..')`, abort: true }),
  );
}
