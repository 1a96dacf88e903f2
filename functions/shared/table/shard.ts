/**
 * Spreading one logical partition over several by a hash of the agent id, for the partitions a
 * Double-11 team would otherwise write through one key (AWS serves at most 1,000 WCU/s per
 * partition key value). Readers query every shard; writers put an agent's items in its one shard.
 */

/** A stable 32-bit hash of a string (FNV-1a). */
export function stableHash(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Which shard an agent's items go to: the stable hash of its id. */
export const agentHash = (agentId: string): number => stableHash(agentId);

/** An agent's shard among `shards`, and the list of all of them (what a reader queries). */
export function agentShards(shards: number): { of: (agentId: string) => number; all: readonly number[] } {
  return { of: (agentId) => agentHash(agentId) % shards, all: Array.from({ length: shards }, (_, i) => i) };
}
