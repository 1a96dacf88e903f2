/**
 * Spreading one logical partition over several by a hash of the agent id, for the partitions a
 * Double-11 team would otherwise write through one key (AWS serves at most 1,000 WCU/s per
 * partition key value). Readers query every shard; writers put an agent's items in its one shard.
 */

/** A stable 32-bit hash of an agent id (FNV-1a): which shard its items go to. */
export function agentHash(agentId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < agentId.length; i++) {
    h ^= agentId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** An agent's shard among `shards`, and the list of all of them (what a reader queries). */
export function agentShards(shards: number): { of: (agentId: string) => number; all: readonly number[] } {
  return { of: (agentId) => agentHash(agentId) % shards, all: Array.from({ length: shards }, (_, i) => i) };
}
