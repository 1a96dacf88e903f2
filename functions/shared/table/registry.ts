/** The list of every declared item type (no client here, so docs and checks load it without AWS). */
import type { AnyEntity } from "./entity.js";
import * as agents from "./entities/agents.js";
import * as audit from "./entities/audit.js";
import * as integrations from "./entities/integrations.js";
import * as notices from "./entities/notices.js";
import * as planning from "./entities/planning.js";
import * as platform from "./entities/platform.js";
import * as rota from "./entities/rota.js";
import * as rotaSwaps from "./entities/rota-swaps.js";
import * as routing from "./entities/routing.js";
import * as settings from "./entities/settings.js";
import * as stock from "./entities/stock.js";
import * as supervision from "./entities/supervision.js";

function entitiesOf(module: Record<string, unknown>): AnyEntity[] {
  return Object.values(module).filter((v): v is AnyEntity => typeof v === "object" && v !== null && "pk" in v && "owner" in v && "parse" in v).sort((a, b) => a.type.localeCompare(b.type));
}

/** Every declared item type, by capability, in the order the data-model page lists them. */
export const registry: readonly AnyEntity[] = [agents, platform, routing, supervision, rota, rotaSwaps, planning, notices, stock, settings, audit, integrations].flatMap(entitiesOf);

