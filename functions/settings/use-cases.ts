/** Live settings use cases: show them, change them. */
import { ConflictError, ContentionError } from "../shared/errors.js";
import { functionEnv } from "../shared/env.js";
import { jitter } from "../shared/table/index.js";
import { cacheSeconds } from "./current.js";
import { applyUpdate, settingsView, type SettingsUpdate } from "./domain.js";
import { readLiveSettings, writeLiveSettings } from "./store.js";

/** Entity and id of the settings' audit trail (`GET /audit/settings/live`). */
export const settingsAudit = { entity: "settings", entityId: "live" } as const;

const attempts = 3;

/**
 * Shows the settings.
 *
 * Primary course: read the live settings item (strongly consistent) and lay every setting out
 * with its value in force, its default (this function's environment, which CDK context sets
 * alike on every function, else the built-in one), where each comes from, the version and who
 * changed it last.
 */
export async function showSettings() {
  return settingsView(functionEnv(), await readLiveSettings(), cacheSeconds());
}

/**
 * Changes settings live.
 *
 * Primary course: (the values were checked: a bad one is a 400 and nothing is read or written)
 * read the live item; a caller that named the version it read and is behind gets a 409 naming
 * the current one; work out the new live values and what changes in force; write them as the
 * next version with one audit record (old → new per changed setting, who, when) in one
 * transaction conditional on the version read. A concurrent change makes that condition fail:
 * a 409 for a caller who named a version, else the change is applied again on top; a concurrent
 * transaction that held the item is retried from the read (3 tries in all).
 * Naming only values already in force live changes nothing and writes nothing.
 */
export async function changeSettings(update: SettingsUpdate, by: { actor: string; now: Date }) {
  const environment = functionEnv();
  for (let attempt = 0; attempt < attempts; attempt++) {
    const stored = await readLiveSettings();
    const version = stored?.version ?? 0;
    if (update.version !== undefined && update.version !== version) throw stale(update.version, version);
    const { values, changes } = applyUpdate(environment, stored, update);
    const changed = Object.keys(changes);
    if (changed.length === 0) return { changed, ...settingsView(environment, stored, cacheSeconds()) };
    const next = { version: version + 1, values, updatedAt: by.now.toISOString(), updatedBy: by.actor };
    const audit = { ...settingsAudit, action: "settings.changed", actor: by.actor, at: next.updatedAt, details: { version: next.version, previousVersion: version, changes } };
    const written = await writeLiveSettings(next, version, audit);
    if (written === "written") return { changed, ...settingsView(environment, next, cacheSeconds()) };
    if (written === "stale" && update.version !== undefined) throw stale(update.version, (await readLiveSettings())?.version ?? version + 1);
    await jitter(attempt);
  }
  throw new ContentionError("The settings kept changing under this request; nothing was changed. Read them again and retry.");
}

function stale(sent: number, current: number): ConflictError {
  return new ConflictError(`The settings are at version ${current}, not ${sent}: someone changed them since you read them; nothing was changed. Read them again (GET /settings) and retry with version ${current}.`, { extra: { currentVersion: current } });
}
