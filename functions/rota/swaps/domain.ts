/**
 * Swap requests: an agent asks to exchange what it works on a date with another agent; the other
 * accepts; a supervisor approves (the swap exception is then written) or rejects. Pure.
 */
import * as z from "zod/mini";
import { agentIdSchema } from "../../agents/domain.js";
import { dateSchema } from "../domain.js";

export const swapStatuses = ["requested", "accepted", "approved", "rejected"] as const;
export type SwapStatus = (typeof swapStatuses)[number];

export const swapRequestInputSchema = z.strictObject({
  withAgentId: agentIdSchema,
  date: dateSchema,
  note: z.optional(z.string().check(z.maxLength(200))),
});
export type SwapRequestInput = z.infer<typeof swapRequestInputSchema>;

export const swapDecisionSchema = z.strictObject({ reason: z.optional(z.string().check(z.maxLength(200))) });

export const swapRequestSchema = z.object({
  requestId: z.string(),
  agentId: z.string(),
  withAgentId: z.string(),
  date: z.string(),
  note: z.optional(z.string()),
  status: z.enum(swapStatuses),
  requestedAt: z.string(),
  acceptedAt: z.optional(z.string()),
  decidedAt: z.optional(z.string()),
  decidedBy: z.optional(z.string()),
  reason: z.optional(z.string()),
  /** The rota swap exception written on approval. */
  exceptionId: z.optional(z.string()),
});
export type SwapRequest = z.infer<typeof swapRequestSchema>;

export const swapPath = z.object({ requestId: z.uuid() });

/** Which states each step leaves from: anything else is a 409 naming the state. */
export const transitions = {
  accept: ["requested"],
  approve: ["accepted"],
  reject: ["requested", "accepted"],
} as const satisfies Record<string, readonly SwapStatus[]>;
export type SwapStep = keyof typeof transitions;
