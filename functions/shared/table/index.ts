/**
 * The entity registry: every item type of the single table, declared once. Code outside this
 * folder builds no key and names no partition; it reads and writes through these entities and
 * the client's `transact` / `batchGet` / `batchWrite` / `queryAll`. docs/data-model.md is
 * generated from this list (`npm run docs:data-model`).
 */
export { registry } from "./registry.js";
export * from "./entities/agents.js";
export * from "./entities/audit.js";
export * from "./entities/integrations.js";
export * from "./entities/notices.js";
export * from "./entities/planning.js";
export * from "./entities/platform.js";
export * from "./entities/rota.js";
export * from "./entities/rota-swaps.js";
export * from "./entities/routing.js";
export * from "./entities/settings.js";
export * from "./entities/stock.js";
export * from "./entities/supervision.js";
export { MalformedItemError, type AnyEntity } from "./entity.js";
export * from "./client.js";
export * from "./sent-once.js";
export * from "./page.js";
