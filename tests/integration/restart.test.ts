import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadOrCreateKeys, mintToken } from "../../local/keys.js";
import { freePort } from "../../local/ports.js";

const root = resolve(import.meta.dirname, "../..");

/** Runs `npm start`'s entry point as a real child process and waits for its ready line. */
async function startBackend(env: Record<string, string>): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "local/main.ts"], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!output.includes("is up")) {
    if (child.exitCode !== null) throw new Error(`backend exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`backend not ready in 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => output };
}

async function stopBackend(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  return new Promise((resolveExit) => {
    child.once("exit", (code) => resolveExit(code));
    child.kill("SIGINT");
  });
}

// `npm start` keeps DynamoDB Local's data on disk under DATA_DIR: a restart loses nothing.
describe("npm start", () => {
  it("serves /health, stops on Ctrl-C, and keeps agents and tokens across a restart", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "sqr-restart-"));
    const port = await freePort();
    const env = { PORT: String(port), DATA_DIR: dataDir, POWERTOOLS_LOG_LEVEL: "SILENT" };
    try {
      const first = await startBackend(env);
      expect(first.output()).toContain(`http://127.0.0.1:${port}`);
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      const token = await mintToken(await loadOrCreateKeys(dataDir), "supervisor", "boss");
      const created = await fetch(`http://127.0.0.1:${port}/agents/keeper`, {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "Keeper", skills: ["presale"], maxConcurrent: 4 }),
      });
      expect(created.status).toBe(201);
      expect(await stopBackend(first.child)).toBe(0);
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();

      const second = await startBackend(env);
      try {
        const read = await fetch(`http://127.0.0.1:${port}/agents/keeper`, { headers: { authorization: `Bearer ${token}` } });
        expect(read.status).toBe(200);
        expect(await read.json()).toMatchObject({ agentId: "keeper", name: "Keeper", maxConcurrent: 4 });
      } finally {
        await stopBackend(second.child);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("refuses a port already in use with a clear message", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "sqr-port-"));
    const { createServer } = await import("node:http");
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, "127.0.0.1", () => done()));
    const address = blocker.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      const child = spawn(process.execPath, ["--import", "tsx", "local/main.ts"], { cwd: root, env: { ...process.env, PORT: String(port), DATA_DIR: dataDir }, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
      const code = await new Promise<number | null>((done) => child.once("exit", done));
      expect(code).toBe(1);
      expect(output).toContain(`Port ${port} is already in use`);
    } finally {
      blocker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
