/**
 * `npm start` as an operator meets it: Ctrl-C stops it cleanly and a restart keeps the data;
 * a power cut (SIGKILL of the whole process group) in the middle of a webhook burst loses no
 * accepted conversation and leaves no agent over capacity once the stack is back.
 */
import { createServer } from "node:http";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadOrCreateKeys, mintToken } from "../../local/keys.js";
import { freePort } from "../../local/ports.js";
import { defaultWebhookSecret } from "../../local/stack.js";
import { bootDeadlineMs, signedWebhook, startBackend, until } from "../support/backend-process.js";

const root = resolve(import.meta.dirname, "../..");
// Three boots of the whole stack plus a recovery: allow each boot its full deadline.
const lifecycleTimeoutMs = 3 * bootDeadlineMs + 120_000;

describe("npm start", () => {
  it(
    "stops on Ctrl-C keeping its data, and after a SIGKILL mid-burst recovers every accepted conversation within capacity",
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "sqr-restart-"));
      const port = await freePort();
      // The sweeper re-drives conversations the crash left `queued` (the SQS emulator is in memory).
      const env = { PORT: String(port), DATA_DIR: dataDir, POWERTOOLS_LOG_LEVEL: "SILENT", REQUEUE_AFTER_SECONDS: "1" };
      const capacity = 3;
      const agentIds = ["keeper", "helper"];
      try {
        const first = await startBackend(env);
        expect(first.output()).toContain(`http://127.0.0.1:${port}`);
        expect((await fetch(`${first.url}/health`)).status).toBe(200);
        const keys = await loadOrCreateKeys(dataDir);
        const sup = await mintToken(keys, "supervisor", "boss");
        const call = (method: string, path: string, token: string, body?: unknown) =>
          fetch(`${first.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
        const today = new Date().toISOString().slice(0, 10);
        expect((await call("PUT", "/shifts/allday", sup, { name: "All day", start: "00:00", end: "00:00", timeZone: "UTC" })).status).toBe(201);
        for (const agentId of agentIds) {
          expect((await call("PUT", `/agents/${agentId}`, sup, { name: agentId, skills: ["presale"], maxConcurrent: capacity })).status).toBe(201);
        }
        expect((await call("PUT", "/rota", sup, { assignments: agentIds.map((agentId) => ({ agentId, date: today, shiftId: "allday" })) })).status).toBe(200);
        for (const agentId of agentIds) {
          expect((await call("PUT", `/agents/${agentId}/presence`, await mintToken(keys, "agent", agentId), { status: "online" })).status).toBe(200);
        }
        expect(await first.stop()).toBe(0);
        await expect(fetch(`${first.url}/health`)).rejects.toThrow();

        const second = await startBackend(env);
        const read = await fetch(`${second.url}/agents/keeper`, { headers: { authorization: `Bearer ${sup}` } });
        expect(read.status).toBe(200);
        expect(await read.json()).toMatchObject({ agentId: "keeper", maxConcurrent: capacity });

        // A burst; the power goes once some of it has been accepted.
        const accepted: string[] = [];
        // A request cut by the power loss was never acknowledged, so the platform retries it: only 202s count.
        const burst = Array.from({ length: 30 }, (_, i) => `crash-${i}`).map((conversationId) =>
          signedWebhook(second.url, defaultWebhookSecret, { conversationId, customerId: `u-${conversationId}`, channel: "tmall", skill: "presale" }).then(
            (response) => void (response.status === 202 && accepted.push(conversationId)),
            () => undefined,
          ),
        );
        await until(async () => (accepted.length >= 8 ? true : undefined), 60_000, "8 accepted webhooks");
        await second.kill();
        await Promise.allSettled(burst);
        expect(accepted.length).toBeGreaterThanOrEqual(8);

        const third = await startBackend(env);
        try {
          const get = async (path: string): Promise<any> => (await fetch(`${third.url}${path}`, { headers: { authorization: `Bearer ${sup}` } })).json();
          for (const id of accepted) {
            await until(async () => {
              const c = await get(`/conversations/${id}`);
              return c.status === "assigned" || c.status === "waiting" ? c : undefined;
            }, 90_000, `conversation ${id} assigned or waiting after the restart`);
          }
          let assigned = 0;
          for (const agentId of agentIds) {
            const agent = await get(`/agents/${agentId}`);
            const open = await get(`/agents/${agentId}/conversations`);
            const openIds: string[] = open.conversations.map((c: { conversationId: string }) => c.conversationId);
            expect(agent.load).toBeLessThanOrEqual(capacity);
            expect(openIds.length).toBe(agent.load);
            assigned += agent.load;
          }
          // Every slot that could be filled was filled: nothing accepted sits lost in `queued`.
          expect(assigned).toBe(Math.min(accepted.length, capacity * agentIds.length));
        } finally {
          expect(await third.stop()).toBe(0);
        }
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    lifecycleTimeoutMs,
  );

  it("refuses a port already in use with a clear message", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "sqr-port-"));
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
  }, bootDeadlineMs);
});
