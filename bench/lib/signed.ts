/**
 * A signed webhook call as the chat platform and the warehouse make it (HMAC over timestamp and
 * body, as docs/integration.md says), for the benches that drive the signed routes.
 *
 * @example
 * const { status } = await signedRequest(stack, "POST", "/stock/reservations", { orderId: "o-1", lines });
 */
import { signBody } from "../../functions/shared/auth.js";

export interface SignedAnswer {
  status: number;
  body: Record<string, unknown>;
}

export async function signedRequest(stack: { url: string; webhookSecret: string }, method: string, path: string, body: unknown, options: { timeoutMs?: number } = {}): Promise<SignedAnswer> {
  const raw = JSON.stringify(body);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const response = await fetch(`${stack.url}${path}`, {
    method,
    headers: { "content-type": "application/json", "x-signature-timestamp": timestamp, "x-signature": signBody(stack.webhookSecret, timestamp, raw) },
    body: raw,
    ...(options.timeoutMs ? { signal: AbortSignal.timeout(options.timeoutMs) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: parseObject(text) };
}

/** The answer's JSON object; an empty or non-JSON body (a gateway's plain 502) reads as `{}`. */
function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = text ? JSON.parse(text) : {};
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
