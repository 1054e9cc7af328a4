/**
 * @module Application manifests for public apps (roadmap Tahap 10): what a `web_app` or `static` deployment the
 * ingress serves is made of (path → CID, plus the wasm module of a web_app), signed by its owner (ADR-036, so a
 * wallet signs it). A manifest with a bad signature is refused, and so is one that names a forbidden CID — when
 * it is deployed and whenever it is served. Kept in its own file until the static-site manifest of
 * node-agent/compute lands; then one format should remain.
 */
import { adr036Sign, adr036Verify } from "../../common/adr036.js";
import { isValidCid } from "../../common/cid.js";
import { BaseError, ErrorCode, InvalidArgumentError } from "../../common/errors.js";
import { routePointerProblem } from "../../common/pointer.js";
import { isValidAddress, pubKeyToAddress, type Secp256k1KeyPair } from "../../common/secp256k1.js";
import { assertServable, type ComplianceGate } from "./blockList.js";

export const APP_MANIFEST_FORMAT = "dsdn.app.v1";
export const MAX_APP_MANIFEST_BYTES = 64 * 1024;
export const MAX_APP_FILES = 1024;
const DOMAIN = "dsdn.app.v1.AppManifest\0";

export interface AppManifest {
  readonly format: typeof APP_MANIFEST_FORMAT;
  readonly name: string;
  readonly type: "web_app" | "static";
  /** The owner's account (bech32 nusa1…) and its 33-byte secp256k1 key, base64. */
  readonly owner: string;
  readonly ownerPublicKey: string;
  /** URL path ("/index.html") → the DSDN object (CID) served there. */
  readonly files: Readonly<Record<string, string>>;
  /** A web_app's wasm module (CID); "" for a static site. */
  readonly module: string;
  /** ADR-036 by `owner` over DOMAIN ‖ the canonical JSON of every other field; base64. */
  readonly signature: string;
}

/** The signed bytes: fixed key order, files sorted by path, so every verifier rebuilds them alike. */
function signedBytes(m: Omit<AppManifest, "signature">): Uint8Array {
  const files = Object.fromEntries(Object.entries(m.files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const body = JSON.stringify({
    format: m.format,
    name: m.name,
    type: m.type,
    owner: m.owner,
    ownerPublicKey: m.ownerPublicKey,
    files,
    module: m.module,
  });
  return new TextEncoder().encode(DOMAIN + body);
}

/** Why the fields are not a well-formed manifest, or undefined. */
function shapeProblem(m: Partial<AppManifest>): string | undefined {
  if (m.format !== APP_MANIFEST_FORMAT) return `format must be "${APP_MANIFEST_FORMAT}"`;
  if (typeof m.name !== "string" || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(m.name)) return "name: 1–63 of a-z 0-9 -";
  if (m.type !== "web_app" && m.type !== "static") return 'type must be "web_app" or "static"';
  if (typeof m.owner !== "string" || !isValidAddress(m.owner)) return "owner: not a nusa1… address";
  if (typeof m.ownerPublicKey !== "string") return "ownerPublicKey: base64 of 33 bytes";
  if (typeof m.module !== "string" || (m.module !== "" && !isValidCid(m.module))) return "module: a CID or empty";
  if (m.type === "web_app" && m.module === "") return "a web_app names its wasm module";
  if (!m.files || typeof m.files !== "object" || Array.isArray(m.files)) return "files: an object path → CID";
  const entries = Object.entries(m.files);
  if (entries.length === 0 || entries.length > MAX_APP_FILES) return `files: 1..${MAX_APP_FILES} entries`;
  for (const [path, cid] of entries) {
    const p = routePointerProblem(path);
    if (p) return `files["${path.slice(0, 64)}"]: ${p}`;
    if (typeof cid !== "string" || !isValidCid(cid)) return `files["${path.slice(0, 64)}"]: not a CID`;
  }
  return undefined;
}

/** Builds and signs a manifest with the owner's account key. */
export function signAppManifest(
  fields: Pick<AppManifest, "name" | "type" | "files"> & { module?: string },
  owner: Secp256k1KeyPair,
): AppManifest {
  const unsigned = {
    format: APP_MANIFEST_FORMAT,
    name: fields.name,
    type: fields.type,
    owner: pubKeyToAddress(owner.publicKey),
    ownerPublicKey: Buffer.from(owner.publicKey).toString("base64"),
    files: fields.files,
    module: fields.module ?? "",
  } as const;
  const problem = shapeProblem(unsigned);
  if (problem) throw new InvalidArgumentError(`app manifest: ${problem}`);
  const sig = adr036Sign(signedBytes(unsigned), owner.secretKey, owner.publicKey);
  return { ...unsigned, signature: Buffer.from(sig).toString("base64") };
}

export const encodeAppManifest = (m: AppManifest): Uint8Array => new TextEncoder().encode(JSON.stringify(m));

/** Parses, bounds and verifies a manifest: a bad shape or a signature not by its owner is refused. */
export function openAppManifest(bytes: Uint8Array): AppManifest {
  if (bytes.length > MAX_APP_MANIFEST_BYTES)
    throw new BaseError(ErrorCode.TooLarge, `an app manifest is at most ${MAX_APP_MANIFEST_BYTES} bytes`);
  let m: AppManifest;
  try {
    m = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as AppManifest;
  } catch {
    throw new BaseError(ErrorCode.Decode, "app manifest is not JSON");
  }
  const problem = m && typeof m === "object" ? shapeProblem(m) : "not an object";
  if (problem) throw new InvalidArgumentError(`app manifest: ${problem}`);
  const extra = Object.keys(m).filter(
    (k) => !["format", "name", "type", "owner", "ownerPublicKey", "files", "module", "signature"].includes(k),
  );
  if (extra.length > 0) throw new InvalidArgumentError(`app manifest: unknown field "${extra[0]!.slice(0, 32)}"`);
  const key = Buffer.from(m.ownerPublicKey, "base64");
  const sig = typeof m.signature === "string" ? Buffer.from(m.signature, "base64") : Buffer.alloc(0);
  if (!adr036Verify(m.owner, signedBytes(m), key, sig))
    throw new BaseError(ErrorCode.InvalidSignature, `app manifest "${m.name}" is not signed by its owner ${m.owner}`);
  return m;
}

/** Every CID an app would serve or run. */
export const appCids = (m: AppManifest): string[] => [
  ...new Set([...Object.values(m.files), ...(m.module ? [m.module] : [])]),
];

/**
 * The deploy/serve check: signature first (openAppManifest), then no forbidden CID anywhere in the app —
 * a BlockedError names the first one.
 */
export function checkAppManifest(bytes: Uint8Array, gate: ComplianceGate): AppManifest {
  const m = openAppManifest(bytes);
  assertServable(gate, appCids(m));
  return m;
}
