/** Swap requests HTTP API: agents ask and accept, supervisors approve or reject (./swaps/). */
import { actorOf, httpApi, jsonBody, userOf, validate, type HttpRequest } from "../shared/http.js";
import { swapDecisionSchema, swapPath, swapRequestInputSchema } from "./swaps/domain.js";
import { rotaSwapsApi } from "./swaps/functions.js";
import { acceptSwap, approveSwap, rejectSwap, requestSwap, swapRequestFor, type Caller } from "./swaps/use-cases.js";

const caller = (request: HttpRequest): Caller => {
  const user = userOf(request);
  return { sub: user.sub, role: user.role, actor: actorOf(request), now: request.now };
};
const idOf = (request: HttpRequest) => validate(swapPath, request.params, "path").requestId;
/** The decision body is optional: an empty POST decides without a reason. */
const reasonOf = (request: HttpRequest) => (request.rawBody === "" ? undefined : jsonBody(request, swapDecisionSchema).reason);

export const handler = httpApi(rotaSwapsApi, {
  "POST /rota/swap-requests": async (request) => {
    const created = await requestSwap(jsonBody(request, swapRequestInputSchema), caller(request));
    return { status: 201, body: created, headers: { location: `/rota/swap-requests/${created.requestId}` } };
  },
  "GET /rota/swap-requests/{requestId}": async (request) => ({ status: 200, body: await swapRequestFor(idOf(request), caller(request)) }),
  "POST /rota/swap-requests/{requestId}/accept": async (request) => ({ status: 200, body: await acceptSwap(idOf(request), caller(request)) }),
  "POST /rota/swap-requests/{requestId}/approve": async (request) => ({ status: 200, body: await approveSwap(idOf(request), reasonOf(request), caller(request)) }),
  "POST /rota/swap-requests/{requestId}/reject": async (request) => ({ status: 200, body: await rejectSwap(idOf(request), reasonOf(request), caller(request)) }),
});
