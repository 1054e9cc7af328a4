/** @module HTTP `Range` header parsing for chunk GETs (a single byte range, RFC 9110 §14.1.2, §14.2). */
import type { ByteRange } from "./storage.js";

/**
 * Parses `bytes=a-b`, `bytes=a-` or `bytes=-n` against a resource of `size` bytes.
 * Returns null when the header is absent or must be ignored — a range unit other than `bytes` (RFC 9110
 * §14.2: a server MUST ignore units it does not understand) or several ranges (no multipart here; §14.2
 * lets a server ignore Range) — so the whole resource is served with 200. Returns "unsatisfiable" for a
 * single byte range that is malformed or lies outside the resource (416).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null | "unsatisfiable" {
  if (header === undefined || header === "") return null;
  const spec = header.trim();
  const eq = spec.indexOf("=");
  if (eq < 0 || spec.slice(0, eq).trim().toLowerCase() !== "bytes") return null;
  const set = spec.slice(eq + 1);
  if (set.includes(",")) return null;
  const m = /^\s*(\d*)-(\d*)\s*$/.exec(set);
  if (!m || (m[1] === "" && m[2] === "")) return "unsatisfiable";
  if (m[1] === "") {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size || end < start) return "unsatisfiable";
  return { start, end };
}
