/**
 * Skills as data (`GET /skills`, `PUT /skills/{skillId}`): each skill has a name and the skills
 * an escalated conversation of it may fall back to. The five defaults are served until a skill
 * item exists (writing one replaces that default). Agents' skills and transfer targets are
 * checked against the known skills; routing reads the fallbacks when it escalates a conversation
 * and when it drains a queue (which other queues may an agent of this skill help).
 */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import type * as z from "zod/mini";
import { auditPut } from "../shared/audit.js";
import { ValidationError } from "../shared/errors.js";
import { SkillDefinition, dynamo, skillDefinitionSchema, tableName, transact } from "../shared/table/index.js";
import { defaultSkills, type Skill } from "./domain.js";

export type SkillRecord = z.infer<typeof skillDefinitionSchema>;

const defaultNames: Record<string, string> = { presale: "Pre-sale", aftersale: "After-sale", vip: "VIP", complaint: "Complaints", logistics: "Logistics" };

/** The seeded defaults: no fallbacks, so escalation widens nothing until a supervisor sets some. */
export const seededSkills: readonly SkillRecord[] = defaultSkills.map((skillId) => ({ skillId, name: defaultNames[skillId] ?? skillId, fallbackSkills: [], updatedAt: "1970-01-01T00:00:00.000Z", updatedBy: "system:seed" }));

/** Every known skill: the stored ones, and the defaults not yet stored; sorted by id. */
export async function listSkills(): Promise<SkillRecord[]> {
  const out = new Map(seededSkills.map((s) => [s.skillId, s]));
  let cursor: Record<string, unknown> | undefined;
  do {
    const result = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :sk)",
        ExpressionAttributeValues: { ":pk": SkillDefinition.partition({}), ":sk": SkillDefinition.sortPrefix },
        ...(cursor ? { ExclusiveStartKey: cursor } : {}),
      }),
    );
    for (const item of result.Items ?? []) {
      const skill = SkillDefinition.parse(item);
      out.set(skill.skillId, skill);
    }
    cursor = result.LastEvaluatedKey;
  } while (cursor);
  return [...out.values()].sort((a, b) => (a.skillId < b.skillId ? -1 : 1));
}

export async function knownSkillIds(): Promise<Skill[]> {
  return (await listSkills()).map((s) => s.skillId);
}

/** How long a container trusts the skill ids it read (`cachedSkillIds`). */
export const skillIdsCacheMs = 30_000;
let cachedIds: { readAt: number; ids: Skill[] } | undefined;

/**
 * The known skill ids as this container last read them, re-read after {@link skillIdsCacheMs}
 * (or with `fresh`). Skills are never deleted, so a cached list only lacks skills created since:
 * callers that find a skill missing ask again with `fresh` (the webhook does), and a skill is
 * therefore accepted everywhere as soon as it is written. Saves the skills read on every arrival.
 */
export async function cachedSkillIds(options: { fresh?: boolean } = {}): Promise<Skill[]> {
  const now = Date.now();
  if (!options.fresh && cachedIds && now - cachedIds.readAt < skillIdsCacheMs) return cachedIds.ids;
  const ids = await knownSkillIds();
  cachedIds = { readAt: now, ids };
  return ids;
}

/** The fallback skills of `skill` (none for an unknown one). */
export async function fallbacksOf(skill: Skill): Promise<Skill[]> {
  return (await listSkills()).find((s) => s.skillId === skill)?.fallbackSkills ?? [];
}

/** The skills whose escalated conversations an agent of one of `skills` may serve (their fallbacks include it). */
export async function skillsFallingBackTo(skills: readonly string[]): Promise<Skill[]> {
  const wanted = new Set(skills);
  return (await listSkills()).filter((s) => s.fallbackSkills.some((f) => wanted.has(f))).map((s) => s.skillId);
}

/** Throws a 400 naming each unknown skill under `field`. */
export async function requireKnownSkills(skills: readonly string[], field: string): Promise<void> {
  const known = new Set(await knownSkillIds());
  const unknown = skills.map((s, i) => ({ s, i })).filter(({ s }) => !known.has(s));
  if (unknown.length === 0) return;
  throw new ValidationError(`Unknown skill${unknown.length > 1 ? "s" : ""}: ${unknown.map((u) => u.s).join(", ")}. Known skills: ${[...known].join(", ")} (add one with PUT /skills/{skillId}).`, {
    errors: unknown.map((u) => ({ field: skills.length > 1 || field.endsWith("s") ? `${field}.${u.i}` : field, message: `unknown skill "${u.s}"` })),
  });
}

/**
 * Creates or replaces a skill.
 *
 * Primary course: check every fallback names a known skill other than itself; write the skill
 * with its audit record in one transaction. Returns whether it was new (not stored and not a
 * default).
 */
export async function saveSkill(skillId: Skill, input: { name: string; fallbackSkills: Skill[] }, by: { actor: string; now: Date }): Promise<{ created: boolean; skill: SkillRecord }> {
  if (input.fallbackSkills.includes(skillId)) throw new ValidationError(`A skill cannot fall back to itself (${skillId}).`, { errors: [{ field: "fallbackSkills", message: "must not include the skill itself" }] });
  const known = await listSkills();
  await requireKnownSkills(input.fallbackSkills, "fallbackSkills");
  const skill: SkillRecord = { skillId, name: input.name, fallbackSkills: [...new Set(input.fallbackSkills)], updatedAt: by.now.toISOString(), updatedBy: by.actor };
  const created = !known.some((s) => s.skillId === skillId);
  await transact([
    { Put: { TableName: tableName, Item: SkillDefinition.item(skill) } },
    auditPut({ entity: "skill", entityId: skillId, action: created ? "skill.created" : "skill.updated", actor: by.actor, at: skill.updatedAt, details: { name: skill.name, fallbackSkills: skill.fallbackSkills } }),
  ]);
  return { created, skill };
}
