/** @module HTTP `Range` header parsing for chunk GETs (a single byte range, RFC 9110 §14.1.2). */
import type { ByteRange } from "./storage.js";

/**
 * Parses `bytes=a-b`, `bytes=a-` or `bytes=-n` against a resource of `size` bytes.
 * Returns null when there is no header, "unsatisfiable" for ranges that cannot be served.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null | "unsatisfiable" {
  if (header === undefined || header === "") return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
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
