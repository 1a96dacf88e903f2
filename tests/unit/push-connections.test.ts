/**
 * Issue 15: a container reuses an agent's WebSocket connection ids for a few seconds instead of
 * querying them on every push (a routed conversation's push to its agent); the supervisors' are
 * read on every push (an adherence alert or an escalation exists nowhere else). The store and
 * the WebSocket management API are replaced here (neither is DynamoDB nor SQS): the unit is which
 * connections a push reaches, and when it reads them again.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.TABLE_NAME ??= "unit-test";
  process.env.AWS_REGION ??= "us-east-1";
  process.env.WS_ENDPOINT ??= "https://ws.example.test";
});

type Holder = { role: "agent"; agentId: string } | { role: "supervisor" };

const state = vi.hoisted(() => ({
  /** The connections the store holds, per holder key. */
  stored: new Map<string, string[]>(),
  /** Connections the gateway no longer has (a post answers 410). */
  gone: new Set<string>(),
  reads: [] as string[],
  posts: [] as string[],
  forgotten: [] as string[],
}));
const keyOf = (holder: Holder) => (holder.role === "agent" ? holder.agentId : "supervisors");

vi.mock("../../functions/platform/store.js", () => ({
  connectionIdsOf: async (holder: Holder) => {
    state.reads.push(keyOf(holder));
    return [...(state.stored.get(keyOf(holder)) ?? [])];
  },
  forgetConnectionOf: async (holder: Holder, connectionId: string) => {
    state.forgotten.push(connectionId);
    state.stored.set(keyOf(holder), (state.stored.get(keyOf(holder)) ?? []).filter((c) => c !== connectionId));
  },
}));
vi.mock("@aws-sdk/client-apigatewaymanagementapi", () => {
  class PostToConnectionCommand {
    constructor(readonly input: { ConnectionId: string }) {}
  }
  class DeleteConnectionCommand {
    constructor(readonly input: { ConnectionId: string }) {}
  }
  class ApiGatewayManagementApiClient {
    async send(command: PostToConnectionCommand | DeleteConnectionCommand) {
      const id = command.input.ConnectionId;
      if (state.gone.has(id)) throw Object.assign(new Error("gone"), { name: "GoneException" });
      if (command instanceof PostToConnectionCommand) state.posts.push(id);
      return {};
    }
  }
  return { ApiGatewayManagementApiClient, PostToConnectionCommand, DeleteConnectionCommand };
});

const { connectionCacheMs, disconnectAgent, pushToAgent, pushToSupervisors } = await import("../../functions/shared/push.js");

let clock = Date.parse("2026-11-11T00:00:00Z");
beforeEach(() => {
  // A fresh clock far past every earlier test's cached lists: each test starts with none.
  clock += 10 * connectionCacheMs;
  vi.spyOn(Date, "now").mockImplementation(() => clock);
  state.stored.clear();
  state.gone.clear();
  state.reads.length = 0;
  state.posts.length = 0;
  state.forgotten.length = 0;
});

describe("pushing to a holder's connections", () => {
  it("reads an agent's connections once per cache period, each agent apart, and the supervisors' on every push", async () => {
    state.stored.set("a1", ["c1", "c2"]);
    state.stored.set("supervisors", ["s1"]);
    expect(await pushToAgent("a1", { n: 1 })).toEqual({ delivered: 2, gone: 0, failed: 0 });
    expect(await pushToSupervisors({ n: 1 })).toEqual({ delivered: 1, gone: 0, failed: 0 });
    clock += connectionCacheMs - 1;
    expect(await pushToAgent("a1", { n: 2 })).toEqual({ delivered: 2, gone: 0, failed: 0 });
    expect(await pushToSupervisors({ n: 2 })).toEqual({ delivered: 1, gone: 0, failed: 0 });
    expect(state.reads).toEqual(["a1", "supervisors", "supervisors"]);
    expect(state.posts).toEqual(["c1", "c2", "s1", "c1", "c2", "s1"]);
    // A wall opened beside another gets the very next push (an alert exists nowhere else).
    state.stored.set("supervisors", ["s1", "s2"]);
    expect(await pushToSupervisors({ n: 3 })).toEqual({ delivered: 2, gone: 0, failed: 0 });

    // The period is over: read again, and a connection opened meanwhile is reached.
    clock += 1;
    state.stored.set("a1", ["c1", "c2", "c3"]);
    expect(await pushToAgent("a1", { n: 3 })).toEqual({ delivered: 3, gone: 0, failed: 0 });
    expect(state.reads).toEqual(["a1", "supervisors", "supervisors", "supervisors", "a1"]);
  });

  it("a cached connection that is gone (the console reconnected): forgotten, the list read again, this push reaches the new one", async () => {
    state.stored.set("a1", ["old"]);
    await pushToAgent("a1", { n: 1 });
    state.gone.add("old");
    state.stored.set("a1", ["old", "new"]);
    expect(await pushToAgent("a1", { n: 2 })).toEqual({ delivered: 1, gone: 1, failed: 0 });
    expect(state.forgotten).toEqual(["old"]);
    expect(state.reads).toEqual(["a1", "a1"]);
    expect(state.posts).toEqual(["old", "new"]);
    // The fresh list is cached in turn.
    await pushToAgent("a1", { n: 3 });
    expect(state.reads).toEqual(["a1", "a1"]);
    expect(state.posts).toEqual(["old", "new", "new"]);
  });

  it("a gone connection in a list just read is forgotten without reading the list again", async () => {
    state.stored.set("a1", ["old", "live"]);
    state.gone.add("old");
    expect(await pushToAgent("a1", { n: 1 })).toEqual({ delivered: 1, gone: 1, failed: 0 });
    expect(state.reads).toEqual(["a1"]);
    // Nothing is cached after a gone connection: the next push reads the list (now without it).
    await pushToAgent("a1", { n: 2 });
    expect(state.reads).toEqual(["a1", "a1"]);
    expect(state.posts).toEqual(["live", "live"]);
  });

  it("never caches an empty list: a holder's first connection is found by the next push", async () => {
    expect(await pushToAgent("a1", { n: 1 })).toEqual({ delivered: 0, gone: 0, failed: 0 });
    state.stored.set("a1", ["first"]);
    expect(await pushToAgent("a1", { n: 2 })).toEqual({ delivered: 1, gone: 0, failed: 0 });
    expect(state.reads).toEqual(["a1", "a1"]);
  });

  it("signing an agent out drops its cached list", async () => {
    state.stored.set("a1", ["c1"]);
    await pushToAgent("a1", { n: 1 });
    expect(await disconnectAgent("a1")).toBe(1);
    state.stored.set("a1", ["c2"]);
    await pushToAgent("a1", { n: 2 });
    expect(state.posts).toEqual(["c1", "c2"]);
  });
});
