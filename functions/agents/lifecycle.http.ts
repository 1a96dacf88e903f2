/**
 * The agent lifecycle (supervisors): deactivate (`DELETE /agents/{id}`: open conversations handed
 * over, the future rota removed, sockets closed) and reactivate. A function of its own
 * (AgentLifecycleApi): it reaches routing, the rota's commit and the push API, which AgentsApi's
 * profile, presence and skill routes never load (issue 11, bundles).
 */
import { httpApi } from "../shared/http.js";
import { agentView } from "./domain.js";
import { agentLifecycleApi } from "./functions.js";
import { actor, agentIdOf } from "./http-request.js";
import { deactivateAgent, reactivateAgent } from "./lifecycle.js";

export const handler = httpApi(agentLifecycleApi, {
  "DELETE /agents/{agentId}": async (request) => {
    const { agent, changed, handedOver, rota, disconnected } = await deactivateAgent(agentIdOf(request), actor(request));
    return { status: 200, body: { ...agentView(agent), deactivated: { changed, handedOver, rota, disconnected } } };
  },

  "POST /agents/{agentId}/reactivate": async (request) => {
    const { agent } = await reactivateAgent(agentIdOf(request), actor(request));
    return { status: 200, body: agentView(agent) };
  },
});
