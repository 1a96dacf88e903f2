/** The swap-request routes' contract (RotaSwapsApi): request schemas (./domain.ts) and responses. */
import type { Contract } from "../../shared/contract.js";
import { named } from "../../shared/responses.js";
import { swapDecisionSchema, swapPath, swapRequestInputSchema, swapRequestSchema } from "./domain.js";

export function contract(): Contract {
  const view = named("SwapRequest", swapRequestSchema, "A swap request and where it stands: requested → accepted → approved (applied) or rejected.");
  const decided = { 200: { description: "Done.", schema: view } };
  return {
    "POST /rota/swap-requests": {
      summary: "An agent asks to swap what it works on a date with another agent",
      description: "The caller (an agent) must work a shift that date. The other agent accepts, then a supervisor approves (the swap is applied: a rota swap exception, audited) or rejects.",
      body: swapRequestInputSchema,
      responses: { 201: { description: "Requested (Location names it).", schema: view, headers: { location: "/rota/swap-requests/{requestId}" } } },
    },
    "GET /rota/swap-requests/{requestId}": { summary: "A swap request (its two agents or a supervisor)", params: swapPath, responses: { 200: { description: "The request.", schema: view } } },
    "POST /rota/swap-requests/{requestId}/accept": {
      summary: "The other agent accepts (only it: not the requester, not a third agent)",
      params: swapPath,
      responses: decided,
      problems: [409],
    },
    "POST /rota/swap-requests/{requestId}/approve": {
      summary: "A supervisor approves an accepted request: the swap is applied atomically, audited, both agents notified",
      params: swapPath,
      body: swapDecisionSchema,
      responses: decided,
      problems: [409],
    },
    "POST /rota/swap-requests/{requestId}/reject": {
      summary: "A supervisor rejects a requested or accepted request; both agents notified",
      params: swapPath,
      body: swapDecisionSchema,
      responses: decided,
      problems: [409],
    },
  };
}
