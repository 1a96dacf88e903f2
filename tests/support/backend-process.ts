/**
 * `npm start`'s entry point as a real child process (its own process group, so a SIGKILL takes
 * DynamoDB Local's JVM down with it, like a machine losing power). Boot deadlines are generous:
 * CI is a busy 2-core machine where one boot has taken 50 s.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { signBody } from "../../functions/shared/auth.js";

const root = resolve(import.meta.dirname, "../..");
export const bootDeadlineMs = 150_000;

export interface Backend {
  child: ChildProcess;
  url: string;
  output(): string;
  /** Ctrl-C: resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Power cut: the whole process group, DynamoDB Local included, dies at once. */
  kill(): Promise<void>;
}

export async function startBackend(env: Record<string, string>): Promise<Backend> {
  const child = spawn(process.execPath, ["--import", "tsx", "local/main.ts"], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const deadline = Date.now() + bootDeadlineMs;
  while (!output.includes("is up")) {
    if (child.exitCode !== null) throw new Error(`backend exited early:\n${output}`);
    if (Date.now() > deadline) {
      killGroup(child);
      throw new Error(`backend not ready in ${bootDeadlineMs / 1000} s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    url: `http://127.0.0.1:${env.PORT ?? "3000"}`,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill("SIGINT");
      return exited;
    },
    kill: async () => {
      killGroup(child);
      await exited;
    },
  };
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

/** A signed chat-platform webhook, as the platform sends it. */
export function signedWebhook(url: string, secret: string, body: unknown): Promise<Response> {
  const raw = JSON.stringify(body);
  const timestamp = String(Math.floor(Date.now() / 1000));
  return fetch(`${url}/webhooks/conversations`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-signature-timestamp": timestamp, "x-signature": signBody(secret, timestamp, raw) },
    body: raw,
  });
}

/** Polls `probe` until it returns a value, or fails after `timeoutMs` (never a fixed sleep). */
export async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
