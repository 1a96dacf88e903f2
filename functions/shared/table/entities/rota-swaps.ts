/** The rota's swap requests (owner rota): asked by an agent, accepted by the other, decided by a supervisor. */
import { swapRequestSchema } from "../../../rota/swaps/domain.js";
import { defineEntity } from "../entity.js";

export const SwapRequestItem = defineEntity({
  type: "SwapRequest",
  owner: "rota",
  description: "An agent's request to exchange what it works on a date with another agent: requested → accepted (by the other) → approved (the swap exception is written in the same transaction) or rejected (by a supervisor)",
  schema: swapRequestSchema,
  pk: "SWAP#{requestId}",
  sk: "REQUEST",
  patterns: [
    { name: "SwapRequest.create", operation: "TransactWriteItems: Put SWAP#{requestId} / REQUEST (attribute_not_exists) + audit record", cost: "4 WRU" },
    { name: "SwapRequest.get", operation: "GetItem SWAP#{requestId} / REQUEST, consistent", cost: "1 RRU" },
    { name: "SwapRequest.step", operation: "TransactWriteItems: Put the request (status = the state read) + audit record (+ on approval the swap exception and one rota audit record per agent)", cost: "4 WRU (approval 10 WRU + the exception's index)" },
  ],
});
