/**
 * Erlang C queueing core, pure and dependency-free (a simulator imports it too).
 *
 * Model (M/M/N): Poisson arrivals, exponential handle times, N identical servers, infinite
 * patience (no abandonment). For chat, a server is one chat slot: an agent handling `c` chats
 * at once counts as `c` servers. Traffic is in Erlangs: arrivals per interval × AHT / interval
 * length.
 *
 * Erlang C is computed from the Erlang B recursion B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1)),
 * then C = N·B / (N − A·(1 − B)). Unlike the textbook formula (Aᴺ/N! sums) it never overflows,
 * so hundreds of slots are fine.
 *
 * @example
 * erlangC(10, 14);                  // ≈ 0.1741: probability a chat waits
 * serviceLevel(10, 14, 180, 20);    // ≈ 0.888: share answered within 20 s
 */

/** Erlang B blocking probability for `servers` servers offered `trafficErlangs`. */
export function erlangB(trafficErlangs: number, servers: number): number {
  assertInputs(trafficErlangs, servers);
  let b = 1;
  for (let n = 1; n <= servers; n++) b = (trafficErlangs * b) / (n + trafficErlangs * b);
  return b;
}

/**
 * Probability that an arrival has to wait (all servers busy). 1 when the system is unstable
 * (servers ≤ traffic): the queue grows without bound.
 */
export function erlangC(trafficErlangs: number, servers: number): number {
  assertInputs(trafficErlangs, servers);
  if (trafficErlangs === 0) return 0;
  if (servers <= trafficErlangs) return 1;
  const b = erlangB(trafficErlangs, servers);
  return (servers * b) / (servers - trafficErlangs * (1 - b));
}

/** Share of arrivals answered within `answerSeconds`: 1 − C·e^(−(N−A)·t/AHT). */
export function serviceLevel(trafficErlangs: number, servers: number, ahtSeconds: number, answerSeconds: number): number {
  assertPositive(ahtSeconds, "ahtSeconds");
  if (!(answerSeconds >= 0)) throw new RangeError(`answerSeconds must be ≥ 0, got ${answerSeconds}`);
  if (trafficErlangs === 0) return 1;
  if (servers <= trafficErlangs) return 0;
  const c = erlangC(trafficErlangs, servers);
  return 1 - c * Math.exp((-(servers - trafficErlangs) * answerSeconds) / ahtSeconds);
}

/** Average speed of answer in seconds: C·AHT / (N − A); Infinity when unstable. */
export function averageSpeedOfAnswer(trafficErlangs: number, servers: number, ahtSeconds: number): number {
  assertPositive(ahtSeconds, "ahtSeconds");
  if (trafficErlangs === 0) return 0;
  if (servers <= trafficErlangs) return Number.POSITIVE_INFINITY;
  return (erlangC(trafficErlangs, servers) * ahtSeconds) / (servers - trafficErlangs);
}

export interface ServiceTarget {
  trafficErlangs: number;
  ahtSeconds: number;
  /** e.g. 0.8 for "80 % answered within …". */
  targetServiceLevel: number;
  answerSeconds: number;
}

/**
 * Fewest servers meeting the service-level target (always more than the traffic, so the
 * queue is stable). 0 for no traffic.
 */
export function requiredServers(target: ServiceTarget, maxServers = 100_000): number {
  const { trafficErlangs, ahtSeconds, targetServiceLevel, answerSeconds } = target;
  assertInputs(trafficErlangs, 0);
  assertPositive(ahtSeconds, "ahtSeconds");
  if (!(targetServiceLevel > 0 && targetServiceLevel < 1)) throw new RangeError(`targetServiceLevel must be in (0, 1), got ${targetServiceLevel}`);
  if (trafficErlangs === 0) return 0;
  // One pass of the Erlang B recursion, so the search is O(N), not O(N²) (serviceLevel per N would redo it).
  let b = 1;
  for (let n = 1; n <= maxServers; n++) {
    b = (trafficErlangs * b) / (n + trafficErlangs * b);
    if (n <= trafficErlangs) continue;
    const c = (n * b) / (n - trafficErlangs * (1 - b));
    if (1 - c * Math.exp((-(n - trafficErlangs) * answerSeconds) / ahtSeconds) >= targetServiceLevel) return n;
  }
  throw new RangeError(`no staffing up to ${maxServers} servers meets the target`);
}

function assertInputs(trafficErlangs: number, servers: number): void {
  if (!(Number.isFinite(trafficErlangs) && trafficErlangs >= 0)) throw new RangeError(`trafficErlangs must be a finite number ≥ 0, got ${trafficErlangs}`);
  if (!(Number.isInteger(servers) && servers >= 0)) throw new RangeError(`servers must be an integer ≥ 0, got ${servers}`);
}

function assertPositive(value: number, name: string): void {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a finite number > 0, got ${value}`);
}
