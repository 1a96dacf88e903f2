/**
 * What happens when an agent connects: capabilities that owe the agent something on arrival
 * (late-joiner notices) hook in here.
 */
export async function onAgentConnected(_agentId: string, _now: Date): Promise<void> {
  // Filled by the notices capability (late joiners receive unexpired notices on connect).
}
