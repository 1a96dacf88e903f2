/** The query fields of a paginated list (pure: request schemas import it without the table client). */
import * as z from "zod/mini";

/**
 * The `?limit=&cursor=` query fields of a paginated list: `limit` a whole number from 1 to `max`
 * (`default` when absent), `cursor` the opaque `next` of the previous page.
 *
 * @example
 * const query = z.strictObject({ ...pageQuery({ default: 50, max: 200 }) });
 */
export function pageQuery(sizes: { default: number; max: number }) {
  const expects = `must be a whole number from 1 to ${sizes.max}`;
  return {
    limit: z._default(z.pipe(z.pipe(z.string().check(z.regex(/^\d{1,6}$/, expects)), z.transform(Number)), z.number().check(z.int(), z.minimum(1, expects), z.maximum(sizes.max, expects))), sizes.default),
    cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  };
}
