/**
 * CPU time spent on a phase, split between this process (the bench's clients, the gateway,
 * fauxqs, every function) and DynamoDB Local's JVM (a child of this process). Both share the
 * machine's cores, so when a phase saturates them its rate is about (cores × 1,000) ÷ (CPU ms per
 * operation), and a ratio of two rates is roughly the inverse ratio of their CPU per operation.
 */
import { readdirSync, readFileSync } from "node:fs";

export interface CpuPerOp {
  node: number;
  /** Absent where /proc is not readable. */
  dynamo: number | undefined;
}

/** CPU time (ms) of this process's java children (DynamoDB Local), from /proc; undefined where unreadable. */
export function dynamoCpuMs(): number | undefined {
  try {
    let total = 0;
    let found = false;
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      } catch {
        continue;
      }
      // pid (comm) state ppid … utime(14) stime(15), in clock ticks; comm may hold spaces.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (!stat.includes("(java)") || Number(fields[1]) !== process.pid) continue;
      found = true;
      total += Number(fields[11]) + Number(fields[12]);
    }
    return found ? (total * 1000) / 100 : undefined;
  } catch {
    return undefined;
  }
}

/** Starts measuring; `perOp(ops)` gives the CPU per operation since the start (ms, 2 decimals). */
export function cpuMeter(): { perOp(ops: number): CpuPerOp } {
  const nodeBefore = process.cpuUsage();
  const dynamoBefore = dynamoCpuMs();
  return {
    perOp(ops) {
      const node = process.cpuUsage(nodeBefore);
      const dynamoAfter = dynamoCpuMs();
      const each = (msTotal: number) => Math.round((msTotal / Math.max(1, ops)) * 100) / 100;
      return { node: each((node.user + node.system) / 1000), dynamo: dynamoBefore === undefined || dynamoAfter === undefined ? undefined : each(dynamoAfter - dynamoBefore) };
    },
  };
}

/** The sum of both sides, when the JVM's is known. */
export const cpuTotal = (cpu: CpuPerOp | undefined): number | undefined => (cpu?.dynamo === undefined ? undefined : cpu.node + cpu.dynamo);
