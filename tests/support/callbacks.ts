/**
 * A chat platform's callback endpoint for tests: a real HTTP server (node:http on port 0) that
 * verifies each assignment callback's signature with the callback secret, answers each attempt
 * as `plan` says (a status, or `slow`: held past the deliverer's timeout, then a 503) and, like a
 * platform, applies an accepted callback only once per eventId (`onAccepted`).
 *
 * @example
 * const receiver = new CallbackReceiver(secret, (eventId, attempt) => (attempt === 1 ? 503 : 200));
 * env.ASSIGNMENT_CALLBACK_URL = await receiver.start();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { signBody, signatureToleranceSeconds } from "../../functions/shared/auth.js";

export interface AssignmentCallbackBody {
  eventId: string;
  type: string;
  conversationId: string;
  agentId: string;
  previousAgentId: string | null;
  reason: string;
  sequence: number;
  occurredAt: string;
}

export interface CallbackAttempt {
  eventId: string;
  body: AssignmentCallbackBody;
  raw: string;
  /** This attempt's number for its eventId (1 first). */
  attempt: number;
  /** The signature matched HMAC-SHA256(callback secret, timestamp + "." + raw) and the timestamp was fresh. */
  verified: boolean;
  answered: number | "slow";
}

/** How to answer the n-th attempt of an eventId: an HTTP status, or `slow` (no answer in time). */
export type AnswerPlan = (eventId: string, attempt: number, body: AssignmentCallbackBody) => number | "slow";

export class CallbackReceiver {
  readonly attempts: CallbackAttempt[] = [];
  /** Accepted callbacks, first acceptance per eventId (what the platform applied). */
  readonly accepted = new Map<string, AssignmentCallbackBody>();
  /** Called once per eventId, when it is first accepted (the platform applies it). */
  onAccepted: (body: AssignmentCallbackBody) => void = () => undefined;
  private readonly counts = new Map<string, number>();
  private readonly held = new Set<ServerResponse>();
  private server: Server | undefined;

  constructor(
    private readonly secret: string,
    private readonly plan: AnswerPlan,
    /** How long a `slow` answer is held (longer than the deliverer's timeout). */
    private readonly slowMs = 700,
  ) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/callbacks`;
  }

  async stop(): Promise<void> {
    for (const response of this.held) response.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Attempts whose signature did not verify. */
  unverified(): CallbackAttempt[] {
    return this.attempts.filter((a) => !a.verified);
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const timestamp = String(request.headers["x-signature-timestamp"] ?? "");
      const signature = String(request.headers["x-signature"] ?? "");
      const fresh = /^\d+$/.test(timestamp) && Math.abs(Date.now() / 1000 - Number(timestamp)) <= signatureToleranceSeconds;
      const verified = fresh && signature === signBody(this.secret, timestamp, raw) && request.headers["x-event-id"] !== undefined;
      let body: AssignmentCallbackBody;
      try {
        body = JSON.parse(raw) as AssignmentCallbackBody;
      } catch {
        response.writeHead(400).end();
        return;
      }
      const eventId = String(body.eventId);
      const attempt = (this.counts.get(eventId) ?? 0) + 1;
      this.counts.set(eventId, attempt);
      if (!verified) {
        this.attempts.push({ eventId, body, raw, attempt, verified, answered: 401 });
        response.writeHead(401).end();
        return;
      }
      const answer = this.plan(eventId, attempt, body);
      this.attempts.push({ eventId, body, raw, attempt, verified, answered: answer });
      if (answer === "slow") {
        // Held past the deliverer's timeout: it has given up by the time this answers.
        this.held.add(response);
        setTimeout(() => {
          this.held.delete(response);
          if (!response.destroyed) response.writeHead(503).end();
        }, this.slowMs);
        return;
      }
      if (answer >= 200 && answer < 300 && !this.accepted.has(eventId)) {
        this.accepted.set(eventId, body);
        this.onAccepted(body);
      }
      response.writeHead(answer, { "content-type": "application/json" }).end("{}");
    });
  }
}
