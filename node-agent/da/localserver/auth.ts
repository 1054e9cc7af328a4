/** @module Local DA auth: HS256 JWTs with celestia-node's `Allow` permission claim, secret kept in the data dir. */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** celestia-node permissions; each level includes the ones before it. */
export type Permission = "public" | "read" | "write" | "admin";
export const PERMISSION_LEVELS: Readonly<Record<Permission, readonly Permission[]>> = {
  public: ["public"],
  read: ["public", "read"],
  write: ["public", "read", "write"],
  admin: ["public", "read", "write", "admin"],
};

export const JWT_SECRET_FILE = "jwt-secret";
export const TOKEN_FILE = "auth-tokens.json";
/** Issued tokens live 30 days (re-issued at every start of the server). */
export const DEFAULT_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

export function signJwt(payload: Record<string, unknown>, secret: Uint8Array): string {
  const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64url(JSON.stringify(payload));
  const sig = createHmac("sha256", secret).update(`${head}.${body}`).digest();
  return `${head}.${body}.${b64url(sig)}`;
}

/** Returns the permissions a valid token grants, or undefined when the token is malformed or forged. */
export function verifyJwt(token: string, secret: Uint8Array): Permission[] | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const [head, body, sig] = parts as [string, string, string];
  const expected = createHmac("sha256", secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(sig, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const header = JSON.parse(Buffer.from(head, "base64url").toString("utf8")) as { alg?: string };
    if (header.alg !== "HS256") return undefined;
    const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as { Allow?: unknown; exp?: unknown };
    // Every token expires: one without `exp` would stay valid for as long as the secret lives.
    if (typeof claims.exp !== "number" || claims.exp * 1000 < Date.now()) return undefined;
    if (!Array.isArray(claims.Allow)) return undefined;
    return claims.Allow.filter((p): p is Permission => typeof p === "string" && p in PERMISSION_LEVELS);
  } catch {
    return undefined;
  }
}

/** Reads the HMAC secret, creating a random one (0600) on first start. */
export function loadOrCreateSecret(dataDir: string): Uint8Array {
  const path = join(dataDir, JWT_SECRET_FILE);
  if (!existsSync(path)) writeFileSync(path, randomBytes(32).toString("hex"), { mode: 0o600 });
  const hex = readFileSync(path, "utf8").trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${path} is not a 32-byte hex secret`);
  return new Uint8Array(Buffer.from(hex, "hex"));
}

export interface AuthTokens {
  readonly read: string;
  readonly write: string;
  readonly admin: string;
}

/**
 * Issues read, write and admin tokens (expiring after `ttlSeconds`) and writes them (0600) to `auth-tokens.json` and, for shell
 * scripts, one `<perm>.token` file each (e.g. `write.token`), in the data dir.
 */
export function issueTokens(
  dataDir: string,
  secret: Uint8Array,
  ttlSeconds: number = DEFAULT_TOKEN_TTL_SECONDS,
): { tokens: AuthTokens; file: string } {
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + ttlSeconds;
  const tokens: AuthTokens = {
    read: signJwt({ Allow: PERMISSION_LEVELS.read, iat, exp }, secret),
    write: signJwt({ Allow: PERMISSION_LEVELS.write, iat, exp }, secret),
    admin: signJwt({ Allow: PERMISSION_LEVELS.admin, iat, exp }, secret),
  };
  const file = join(dataDir, TOKEN_FILE);
  writeFileSync(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  for (const [perm, token] of Object.entries(tokens)) {
    const path = join(dataDir, `${perm}.token`);
    writeFileSync(path, `${token}\n`, { mode: 0o600 });
    chmodSync(path, 0o600);
  }
  return { tokens, file };
}
