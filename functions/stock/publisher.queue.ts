/**
 * StockPublisher: consumes the `stockChanges` queue, one nudge per changed SKU (`{ sku, reason }`,
 * coalesced by the writers: publisher.ts). Publishes the SKU's current page stock to the
 * storefront if it moved (`publishPageStock`: one publisher per SKU at a time, by lease). Never
 * fails a record: a publication left undone shows as `version > publishedVersion`, which the
 * reconciler publishes.
 */
import * as z from "zod/mini";
import { queueConsumer } from "../shared/queue-consumer.js";
import { publishPageStock } from "./publisher.js";

const nudgeSchema = z.object({ sku: z.string().check(z.minLength(1)), reason: z.string().check(z.minLength(1), z.maxLength(40)) });

export const handler = queueConsumer(async (body, context) => {
  const { sku, reason } = z.parse(nudgeSchema, body);
  await publishPageStock(sku, reason, context.correlationId);
});
