/**
 * The entity registry's building block: one declaration per item type of the single table —
 * its zod schema, its key templates, the indexes it projects into and why, the capability that
 * owns it, and its named access patterns. Keys are written once, as templates such as
 * `"AGENT#{agentId}"`; the same string builds keys at run time, types their parameters at
 * compile time and documents the table in docs/data-model.md.
 *
 * We write this ourselves rather than use ElectroDB or dynamodb-toolbox: both bring their own
 * schema language (we already have zod at every boundary and derive types from it), and both
 * hide the transaction items we hand-tune for cost (conditions on `version`, sparse index
 * attributes set or removed in the same write). What we need from them — declared keys,
 * validated reads, indexes derived from the model — fits in this file.
 */
import * as z from "zod/mini";
import { appTable, type IndexName } from "../../catalog/resources.js";

/** The capabilities that may own key prefixes. */
export type Capability = "agents" | "routing" | "rota" | "notices" | "stock" | "supervision" | "platform" | "audit" | "settings" | "integrations" | "planning";

/** `"AGENT#{agentId}#{skill}"` → `"agentId" | "skill"`. */
export type TemplateParams<T extends string> = T extends `${string}{${infer P}}${infer Rest}` ? P | TemplateParams<Rest> : never;

export type KeyValues<T extends string> = { readonly [K in TemplateParams<T>]: string | number };

/** A key template's constant head, e.g. `AGENT#` for `AGENT#{agentId}`. */
export function templatePrefix(template: string): string {
  const brace = template.indexOf("{");
  return brace < 0 ? template : template.slice(0, brace);
}

/** Fills a key template; a missing or empty value is a bug in the caller, so it throws. */
export function fillTemplate<T extends string>(template: T, values: KeyValues<T>): string {
  return template.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = (values as Record<string, string | number | undefined>)[name];
    if (value === undefined || value === "") throw new Error(`Key template "${template}" needs "${name}", got ${JSON.stringify(value)}`);
    return String(value);
  });
}

/** An index an item type projects into: the key templates and the reason it exists. */
export interface IndexDeclaration<PK extends string = string, SK extends string = string> {
  readonly index: IndexName;
  readonly pk: PK;
  readonly sk: SK;
  /** Why the item is in this index, and when (sparse indexes: only while …). */
  readonly why: string;
}

/** A named way the code reads or writes the table, as the data-model page lists it. */
export interface AccessPattern {
  readonly name: string;
  /** DynamoDB operation and key, e.g. `Query gsi1 POOL#{skill}, Limit 20`. */
  readonly operation: string;
  /** What one call costs, in AWS's billing units. */
  readonly cost: string;
}

export interface EntityDeclaration<S extends z.core.$ZodType, PK extends string, SK extends string, I extends Record<string, IndexDeclaration>> {
  /** The item's `type` attribute and its name in the registry (PascalCase). */
  readonly type: string;
  readonly owner: Capability;
  readonly description: string;
  readonly schema: S;
  readonly pk: PK;
  readonly sk: SK;
  readonly indexes?: I;
  readonly patterns: readonly AccessPattern[];
  /** Carries `expiresAtEpoch` so DynamoDB's TTL removes it. */
  readonly expires?: string;
}

/** A stored item that does not match its declaration: loud and typed, never coerced. */
export class MalformedItemError extends Error {
  constructor(
    readonly entity: string,
    readonly key: { pk: unknown; sk: unknown },
    readonly issues: readonly { path: readonly PropertyKey[]; message: string }[],
  ) {
    super(
      `Stored ${entity} item ${String(key.pk)} / ${String(key.sk)} does not match its schema: ` +
        issues.map((i) => `${i.path.map(String).join(".") || "(item)"}: ${i.message}`).join("; "),
    );
    this.name = "MalformedItemError";
  }
}

const keyAttributes = new Set<string>([
  appTable.partitionKey,
  appTable.sortKey,
  "type",
  ...appTable.globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
]);

/** The attribute names an index uses, e.g. `{ pk: "gsi1pk", sk: "gsi1sk" }`. */
export function indexAttributes(index: IndexName): { pk: string; sk: string } {
  const found = appTable.globalSecondaryIndexes.find((i) => i.indexName === index);
  if (!found) throw new Error(`Unknown index ${index}`);
  return { pk: found.partitionKey, sk: found.sortKey };
}

export interface BoundIndex<PK extends string, SK extends string> extends IndexDeclaration<PK, SK> {
  /** The index partition value, for a Query's key condition. */
  partition(values: KeyValues<PK>): string;
  /** The index sort key value (e.g. a bound for a range condition). */
  sortKey(values: KeyValues<SK>): string;
  /** The attributes that put an item into this index, e.g. `{ gsi1pk, gsi1sk }`. */
  attributes(values: KeyValues<PK> & KeyValues<SK>): Record<string, string>;
  /** Attribute names, for a REMOVE that takes an item out of a sparse index. */
  readonly attributeNames: { pk: string; sk: string };
}

export type Entity<S extends z.core.$ZodType, PK extends string, SK extends string, I extends Record<string, IndexDeclaration>> = EntityDeclaration<S, PK, SK, I> & {
  /** The item's primary key. */
  key(values: KeyValues<PK> & KeyValues<SK>): { pk: string; sk: string };
  /** The partition value alone (Query of a partition). */
  partition(values: KeyValues<PK>): string;
  /** The sort key's constant head, for `begins_with(sk, …)` over a partition. */
  readonly sortPrefix: string;
  /** The partition key's constant head (`CONV#`): the items of this type, e.g. for the table stream's event filter. */
  readonly partitionPrefix: string;
  readonly index: { readonly [N in keyof I]: BoundIndex<I[N]["pk"], I[N]["sk"]> };
  /** A full item to write: key, `type`, index attributes given, and the value itself. */
  item(value: z.input<S> & KeyValues<PK> & KeyValues<SK>, indexAttributes?: Record<string, string>): Record<string, unknown>;
  /** Parses a stored item (key and index attributes dropped); throws MalformedItemError. */
  parse(item: Record<string, unknown>): z.output<S>;
  /** Parses a projection of the item with a narrower schema. */
  parseAs<T extends z.core.$ZodType>(schema: T, item: Record<string, unknown>): z.output<T>;
};

/**
 * Declares an item type. The returned entity builds its keys and parses its items.
 *
 * @example
 * const Agent = defineEntity({ type: "Agent", owner: "agents", schema: agentSchema,
 *   pk: "AGENT#{agentId}", sk: "PROFILE", patterns: [...] });
 * Agent.key({ agentId: "li.na" }); // { pk: "AGENT#li.na", sk: "PROFILE" }
 */
// Pure (it only builds an object), so esbuild drops the entities a function never uses, and their schemas.
/* @__NO_SIDE_EFFECTS__ */
export function defineEntity<S extends z.core.$ZodType, const PK extends string, const SK extends string, const I extends Record<string, IndexDeclaration> = Record<never, IndexDeclaration>>(
  declaration: EntityDeclaration<S, PK, SK, I>,
): Entity<S, PK, SK, I> {
  const parseAs = <T extends z.core.$ZodType>(schema: T, item: Record<string, unknown>): z.output<T> => {
    const value: Record<string, unknown> = {};
    for (const [name, attribute] of Object.entries(item)) if (!keyAttributes.has(name)) value[name] = attribute;
    const result = z.safeParse(schema, value);
    if (!result.success) throw new MalformedItemError(declaration.type, { pk: item.pk, sk: item.sk }, result.error.issues);
    return result.data;
  };
  const key = (values: KeyValues<PK> & KeyValues<SK>) => ({ pk: fillTemplate(declaration.pk, values), sk: fillTemplate(declaration.sk, values) });
  const index = Object.fromEntries(
    Object.entries(declaration.indexes ?? {}).map(([name, decl]) => {
      const names = indexAttributes(decl.index);
      const bound: BoundIndex<string, string> = {
        ...decl,
        attributeNames: names,
        partition: (values) => fillTemplate(decl.pk, values),
        sortKey: (values) => fillTemplate(decl.sk, values),
        attributes: (values) => ({ [names.pk]: fillTemplate(decl.pk, values), [names.sk]: fillTemplate(decl.sk, values) }),
      };
      return [name, bound];
    }),
  ) as Entity<S, PK, SK, I>["index"];
  return {
    ...declaration,
    key,
    partition: (values) => fillTemplate(declaration.pk, values),
    sortPrefix: templatePrefix(declaration.sk),
    partitionPrefix: templatePrefix(declaration.pk),
    index,
    item: (value, indexAttrs = {}) => ({ ...(value as Record<string, unknown>), ...key(value), type: declaration.type, ...indexAttrs }),
    parse: (item) => parseAs(declaration.schema, item),
    parseAs,
  };
}

/** Any declared entity, for the registry's list and its checks. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry holds entities of every schema
export type AnyEntity = Entity<z.core.$ZodType, string, string, Record<string, IndexDeclaration>> | Entity<any, any, any, any>;
