/** @module Accepts a DA token for the dashboard only when it grants no more than reading: a leaked dashboard must not be able to post or administer. */
import { InvalidArgumentError } from "../../common/errors.js";

/** Returns the token if it is an opaque token or a JWT whose `Allow` claim holds only public/read; throws otherwise. */
export function requireReadOnlyToken(token: string): string {
  const t = token.trim();
  if (t === "" || t.length > 4096 || /\s/.test(t))
    throw new InvalidArgumentError("the DA token is empty, too long or has spaces");
  const parts = t.split(".");
  if (parts.length !== 3) return t;
  let allow: unknown;
  try {
    allow = (JSON.parse(Buffer.from(parts[1] as string, "base64url").toString("utf8")) as { Allow?: unknown }).Allow;
  } catch {
    throw new InvalidArgumentError("the DA token looks like a JWT but its claims do not parse");
  }
  if (!Array.isArray(allow) || allow.some((p) => p !== "public" && p !== "read"))
    throw new InvalidArgumentError(
      "the dashboard takes a DA read token only (its Allow claim grants more than public/read): use read.token",
    );
  return t;
}
