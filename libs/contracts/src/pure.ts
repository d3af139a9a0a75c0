/**
 * Builds a module-level value (a zod/mini schema, an event contract, an entity) so that a bundle
 * which never uses it can leave it out: call it as `/* @__PURE__ *\/ pure(() => …)`. esbuild must
 * keep a top-level `z.string().check(…)` (`.check` is a method call, which may have effects), and
 * with it the zod schema kinds it drags in; a `@__PURE__` call whose only argument is a function
 * is dropped when its result is unused. The annotation has to sit at the call: esbuild does not
 * carry `@__NO_SIDE_EFFECTS__` from a function declared in another module
 * (https://github.com/evanw/esbuild/issues/4369).
 *
 * @example
 * ```ts
 * export const slugSchema = /* @__PURE__ *\/ pure(() => z.string().check(z.maxLength(40)));
 * ```
 */
export function pure<T>(build: () => T): T {
  return build();
}
