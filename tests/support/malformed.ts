/**
 * For unit tests of the entity registry: a stored item that does not match its schema must be a
 * typed `MalformedItemError`, never a coerced value.
 */
import { MalformedItemError } from "../../functions/shared/table/entity.js";

/** Runs `parse` and returns the `MalformedItemError` it throws; fails the test if it returns or throws anything else. */
export function expectMalformed(parse: () => unknown): MalformedItemError {
  try {
    parse();
  } catch (error) {
    if (error instanceof MalformedItemError) return error;
    throw new Error(`expected a MalformedItemError, got ${String(error)}`, { cause: error });
  }
  throw new Error("expected a MalformedItemError, nothing was thrown");
}
