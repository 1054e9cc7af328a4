/**
 * @module Compliance pointers (Tahap 21): what a governance block may name — a content hash (CID) or an
 * ingress route — and how a route covers a request path. One definition for the chain (validation) and the
 * serving nodes (matching), so both read a pointer the same way.
 */
import { parseCid } from "./cid.js";

export const MAX_ROUTE_CHARS = 256;

/** RFC 3986 path characters (pchar and "/"), percent-escapes included; nothing that starts a query or fragment. */
const ROUTE_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]+$/;

/** Why `cid` is not a pointer the chain accepts, or undefined (canonical CIDv1 raw sha2-256 only). */
export function cidPointerProblem(cid: string): string | undefined {
  try {
    parseCid(cid);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Why `route` is not a canonical ingress route, or undefined: starts with "/", is not "/" itself (that
 * would be the whole ingress), has no empty, "." or ".." segment, no trailing "/", no query or fragment.
 */
export function routePointerProblem(route: string): string | undefined {
  if (route.length === 0 || route.length > MAX_ROUTE_CHARS) return `a route is 2..${MAX_ROUTE_CHARS} characters`;
  if (!route.startsWith("/")) return `route "${route.slice(0, 64)}" must start with "/"`;
  if (route === "/") return `route "/" would block the whole ingress; name a narrower route`;
  if (!ROUTE_CHARS.test(route)) return `route "${route.slice(0, 64)}" has a character outside a URL path`;
  const segments = route.slice(1).split("/");
  if (segments.some((s) => s === "" || s === "." || s === ".."))
    return `route "${route.slice(0, 64)}" has an empty, "." or ".." segment (or a trailing "/")`;
  return undefined;
}

/** True when the blocked `route` covers request `path` (equal, or a prefix ending at a segment boundary). */
export function routeCovers(route: string, path: string): boolean {
  return path === route || (path.startsWith(route) && path[route.length] === "/");
}

/**
 * The request path to match routes against: the URL's path without query, percent-decoded once where it is
 * valid and with "." / ".." segments and repeated slashes resolved, so `/site/./x` or `//site//x` or `/%73ite/x`
 * cannot slip past a block on `/site/x`.
 */
export function normalizeRequestPath(url: string): string {
  const q = url.search(/[?#]/);
  let path = q >= 0 ? url.slice(0, q) : url;
  try {
    path = decodeURIComponent(path);
  } catch {}
  const out: string[] = [];
  for (const s of path.split("/")) {
    if (s === "" || s === ".") continue;
    if (s === "..") out.pop();
    else out.push(s);
  }
  return `/${out.join("/")}`;
}
