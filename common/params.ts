/** @module Parsing of all-integer module params from genesis/gov JSON (bigints as strings), with bounds named by field. */

/** `[min, max]` per field; max undefined = unbounded. */
export type IntBounds<T> = { readonly [K in keyof T]: readonly [bigint, bigint | undefined] };

/**
 * Reads every field of `defaults` from `raw` (missing = default), as an integer within its bounds.
 * Throws `<module>.params.<field>: …` so a bad genesis or proposal names what is wrong; unknown fields are refused.
 */
export function parseIntParams<T extends { readonly [K in keyof T]: bigint }>(
  module: string,
  raw: unknown,
  defaults: T,
  bounds: IntBounds<T>,
): T {
  if (raw !== undefined && raw !== null && (typeof raw !== "object" || Array.isArray(raw)))
    throw new Error(`${module}.params: expected an object`);
  const r = (raw ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!(k in defaults)) throw new Error(`${module}.params.${k}: unknown field`);
  const out: Record<string, bigint> = {};
  for (const name of Object.keys(defaults).sort()) {
    const v = r[name] ?? (defaults as Record<string, bigint>)[name];
    if (typeof v !== "string" && typeof v !== "bigint" && !(typeof v === "number" && Number.isSafeInteger(v)))
      throw new Error(`${module}.params.${name}: expected an integer`);
    if (typeof v === "string" && !/^-?(0|[1-9][0-9]*)$/.test(v))
      throw new Error(`${module}.params.${name}: expected an integer, got "${v}"`);
    const n = BigInt(v);
    const [min, max] = bounds[name as keyof T];
    if (n < min || (max !== undefined && n > max))
      throw new Error(`${module}.params.${name}: must be ${min}..${max ?? "∞"}, got ${n}`);
    out[name] = n;
  }
  return out as unknown as T;
}
