/**
 * A zod schema built on first use instead of at module load (issue 11, cold start). Building a
 * schema costs: each zod/mini call constructs an instance (traits, bound methods), and a bundle
 * that imports a capability's domain and entity modules builds hundreds of schemas its routes
 * never parse (~730 in AgentLifecycleApi). esbuild cannot drop them: it does not honour zod's
 * `@__NO_SIDE_EFFECTS__` across modules.
 *
 * `lazy(() => z.strictObject({...}))` returns a stand-in of the same type that builds the schema
 * the first time anything looks at it (a parse, a composition such as `z.extend`, the OpenAPI
 * generator) and then forwards every access to it, so types stay derived from the one
 * declaration (`z.infer<typeof x>`) and callers do not change. Composing a lazy schema into
 * another (`z.object({ a: x })`, `z.optional(x)`, `z.array(x)`) does not build it; `z.extend(x,
 * ...)`, `z.pick(x, ...)` and `.check(...)` do, so wrap those declarations in `lazy` too.
 *
 * @example
 * export const shiftSchema = lazy(() => z.strictObject({ shiftId: z.string(), start: z.string() }));
 * export type Shift = z.infer<typeof shiftSchema>;
 */

/* @__NO_SIDE_EFFECTS__ */
export function lazy<T extends object>(build: () => T): T {
  let built: T | undefined;
  const real = (): T => (built ??= build());
  return new Proxy({} as T, {
    get: (_target, property) => Reflect.get(real(), property, real()),
    set: (_target, property, value) => Reflect.set(real(), property, value, real()),
    has: (_target, property) => Reflect.has(real(), property),
    ownKeys: () => Reflect.ownKeys(real()),
    // Reported configurable: the stand-in's own (empty) target must not contradict it.
    getOwnPropertyDescriptor: (_target, property) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), property);
      return descriptor && { ...descriptor, configurable: true };
    },
    defineProperty: (_target, property, descriptor) => Reflect.defineProperty(real(), property, descriptor),
    deleteProperty: (_target, property) => Reflect.deleteProperty(real(), property),
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
  });
}
