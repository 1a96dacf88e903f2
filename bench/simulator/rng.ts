/**
 * Seeded randomness for the simulator: mulberry32 (32-bit state, passes the usual small-crush
 * style checks, ample for a day of chats) and the few distributions we sample. No dependency,
 * so a seed gives the same day on every machine and Node version.
 *
 * @example
 * const rng = new Rng(42);
 * rng.exponential(1 / 300); // a handle time with mean 300
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    // Mix the seed so 1, 2, 3… do not start on neighbouring states.
    this.state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ 0xc2b2ae35) >>> 0;
  }

  /** Uniform on [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** Uniform on (0, 1]: safe under a logarithm. */
  private open(): number {
    return 1 - this.next();
  }

  /** Exponential with the given rate (mean 1 / rate). */
  exponential(rate: number): number {
    return -Math.log(this.open()) / rate;
  }

  /** Standard normal (Box–Muller; the second value is dropped for simplicity). */
  normal(): number {
    return Math.sqrt(-2 * Math.log(this.open())) * Math.cos(2 * Math.PI * this.next());
  }

  /** Log-normal with the given mean and standard deviation of the variable itself (not of its log). */
  lognormal(mean: number, sd: number): number {
    const sigma2 = Math.log(1 + (sd * sd) / (mean * mean));
    const mu = Math.log(mean) - sigma2 / 2;
    return Math.exp(mu + Math.sqrt(sigma2) * this.normal());
  }

  /** Picks a key with probability proportional to its weight. */
  pick<K extends string>(weights: readonly (readonly [K, number])[]): K {
    const total = weights.reduce((sum, [, w]) => sum + w, 0);
    let u = this.next() * total;
    for (const [key, w] of weights) {
      u -= w;
      if (u < 0) return key;
    }
    const last = weights[weights.length - 1];
    if (!last) throw new RangeError("pick: no weights");
    return last[0];
  }
}
