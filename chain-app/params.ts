/** @module Builds a module's governable-params accessor (ModuleParams) from its parser and keeper. */
import type { Context } from "./context.js";
import { canonicalJson } from "./encoding.js";
import type { ModuleParams } from "./module.js";

export interface ParamsKeeper<P> {
  getParams(ctx: Context): P;
  setParams(ctx: Context, p: P): void;
}

/** Params as plain JSON: the canonical form (sorted keys, bigints as strings) that `parse` reads back. */
export const paramsJson = (p: unknown): Record<string, unknown> => JSON.parse(canonicalJson(p));

export function moduleParams<P>(
  parse: (raw: unknown) => P,
  keeper: ParamsKeeper<P>,
  fixed: readonly (keyof P & string)[] = [],
): ModuleParams {
  return {
    fixed,
    get: (ctx) => paramsJson(keeper.getParams(ctx)),
    validate: (json) => void parse(json),
    set: (ctx, json) => keeper.setParams(ctx, parse(json)),
  };
}

/**
 * The params after a change: `changes` merged over `current`. A field `current` lacks is refused (a typo
 * would otherwise change nothing and pass), as is a change that is not a JSON object, and a new value for
 * a `fixed` field (ModuleParams.fixed).
 */
export function mergeParams(
  module: string,
  current: Record<string, unknown>,
  changes: unknown,
  fixed: readonly string[] = [],
): Record<string, unknown> {
  if (changes === null || typeof changes !== "object" || Array.isArray(changes))
    throw new Error(`${module}: params change must be a JSON object`);
  const keys = Object.keys(changes);
  if (keys.length === 0) throw new Error(`${module}: params change is empty`);
  for (const k of keys) {
    if (!Object.hasOwn(current, k)) throw new Error(`${module}.params.${k}: no such param`);
    const next = (changes as Record<string, unknown>)[k];
    if (fixed.includes(k) && String(next) !== String(current[k]))
      throw new Error(
        `${module}.params.${k}: fixed after genesis (recorded state is numbered or denominated by it), stays ${String(current[k])}`,
      );
  }
  return { ...current, ...(changes as Record<string, unknown>) };
}

/**
 * A stored-params decoder that remembers its last answer: params are read several times per tx and
 * change only by governance, so decoding the same bytes again (JSON parse, validation) is wasted work.
 * Decoding is a pure function of the bytes, and the answer is compared byte for byte and deep-frozen,
 * so a caller can neither see stale params nor change what the next caller gets.
 */
export function lastDecoded<P>(decode: (raw: Uint8Array | undefined) => P): (raw: Uint8Array | undefined) => P {
  let lastRaw: Uint8Array | undefined;
  let lastValue: P | undefined;
  let known = false;
  return (raw) => {
    if (
      known &&
      (raw === undefined ? lastRaw === undefined : lastRaw !== undefined && Buffer.compare(raw, lastRaw) === 0)
    )
      return lastValue as P;
    const value = deepFreeze(decode(raw));
    lastRaw = raw?.slice();
    lastValue = value;
    known = true;
    return value;
  };
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}
