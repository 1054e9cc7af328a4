/**
 * @module Static sites (`type: static`): the site manifest — site path → uploaded object CID — signed by its owner
 * (ADR-036, like upload declarations), stored as an ordinary DSDN object; how a request path resolves against it
 * (index.html, 404.html) and the content type the ingress serves it with (from the extension, never the manifest).
 */
import { adr036Sign, adr036Verify } from "../../common/adr036.js";
import { isValidCid } from "../../common/cid.js";
import { utf8 } from "../../common/encoding.js";
import { IntegrityError } from "../../common/errors.js";
import { concatBytes, sha256 } from "../../common/hash.js";
import { isValidAddress, pubKeyToAddress } from "../../common/secp256k1.js";

export const SITE_DOMAIN = utf8("dsdn.site.v1.SiteManifest\0");
export const MAX_SITE_MANIFEST_BYTES = 1 << 20;
export const MAX_SITE_FILES = 10_000;
const MAX_PATH = 1024;
/** Path segments: no empty, ".", ".." or control/odd characters; the manifest is a flat, normalised map. */
const SEGMENT = /^(?!\.{1,2}$)[A-Za-z0-9._~@+=,-]{1,255}$/;

export interface SiteFile {
  readonly path: string;
  readonly cid: string;
  readonly size: number;
}

export interface SiteManifest {
  readonly version: 1;
  readonly owner: string;
  /** Sorted by path, each path once. */
  readonly files: readonly SiteFile[];
  readonly signedAtMs: number;
  /** Compressed secp256k1 key of the owner, base64. */
  readonly publicKey: string;
  /** ADR-036 signature by the owner over SITE_DOMAIN ‖ sha256(the body), base64. */
  readonly signature: string;
}

export function isSitePath(p: string): boolean {
  return p.length > 0 && p.length <= MAX_PATH && p.split("/").every((s) => SEGMENT.test(s));
}

/** The signed bytes: rebuilt from the fields in a fixed order, so the JSON spelling never matters. */
function bodyBytes(m: Pick<SiteManifest, "version" | "owner" | "files" | "signedAtMs">): Uint8Array {
  const body = JSON.stringify([m.version, m.owner, m.signedAtMs, m.files.map((f) => [f.path, f.cid, f.size])]);
  return concatBytes(SITE_DOMAIN, sha256(utf8(body)));
}

export function signSiteManifest(
  files: readonly SiteFile[],
  key: { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array },
  signedAtMs = Date.now(),
): SiteManifest {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const unsigned = { version: 1 as const, owner: pubKeyToAddress(key.publicKey), files: sorted, signedAtMs };
  const problem = siteProblem(unsigned);
  if (problem) throw new TypeError(`site manifest: ${problem}`);
  return {
    ...unsigned,
    publicKey: Buffer.from(key.publicKey).toString("base64"),
    signature: Buffer.from(adr036Sign(bodyBytes(unsigned), key.secretKey, key.publicKey)).toString("base64"),
  };
}

function siteProblem(m: Pick<SiteManifest, "version" | "owner" | "files" | "signedAtMs">): string | undefined {
  if (m.version !== 1) return "version must be 1";
  if (typeof m.owner !== "string" || !isValidAddress(m.owner)) return "owner is not an address";
  if (!Number.isSafeInteger(m.signedAtMs) || m.signedAtMs < 0) return "signedAtMs is not a time";
  if (!Array.isArray(m.files) || m.files.length === 0 || m.files.length > MAX_SITE_FILES)
    return `files must be 1..${MAX_SITE_FILES}`;
  for (const [i, f] of m.files.entries()) {
    if (typeof f?.path !== "string" || !isSitePath(f.path)) return `files.${i}.path is not a site path`;
    if (typeof f.cid !== "string" || !isValidCid(f.cid)) return `files.${i}.cid is not a CID`;
    if (!Number.isSafeInteger(f.size) || f.size < 0) return `files.${i}.size is not a size`;
    if (i > 0 && !(m.files[i - 1]!.path < f.path)) return "files must be sorted by path, each path once";
  }
  return undefined;
}

/** Parses and verifies a site manifest object: bounded, well-formed, signed by the owner it names. */
export function openSiteManifest(bytes: Uint8Array, cid: string): SiteManifest {
  const bad = (why: string) => new IntegrityError(`${cid} is not a valid signed site manifest: ${why}`);
  if (bytes.length > MAX_SITE_MANIFEST_BYTES) throw bad(`larger than ${MAX_SITE_MANIFEST_BYTES} bytes`);
  let m: SiteManifest;
  try {
    m = JSON.parse(Buffer.from(bytes).toString("utf8")) as SiteManifest;
  } catch {
    throw bad("not JSON");
  }
  const problem = m && typeof m === "object" ? siteProblem(m) : "not an object";
  if (problem) throw bad(problem);
  if (typeof m.publicKey !== "string" || typeof m.signature !== "string") throw bad("unsigned");
  const publicKey = Buffer.from(m.publicKey, "base64");
  const signature = Buffer.from(m.signature, "base64");
  let signer: string;
  try {
    signer = pubKeyToAddress(publicKey);
  } catch {
    throw bad("publicKey is not a secp256k1 key");
  }
  if (signer !== m.owner) throw bad("publicKey is not the owner's");
  if (!adr036Verify(m.owner, bodyBytes(m), publicKey, signature)) throw bad("signature is not the owner's");
  return m;
}

/**
 * The file a request path names: the exact path, `<dir>/index.html` for a directory (or the root), else the site's
 * `404.html` served with status 404, else nothing.
 */
export function resolveSitePath(m: SiteManifest, requestPath: string): { file: SiteFile; status: 200 | 404 } | null {
  const byPath = new Map(m.files.map((f) => [f.path, f]));
  const p = requestPath.replace(/^\/+/, "");
  const candidates = p === "" || p.endsWith("/") ? [`${p}index.html`] : [p, `${p}/index.html`];
  for (const c of candidates) {
    const f = byPath.get(c);
    if (f) return { file: f, status: 200 };
  }
  const nf = byPath.get("404.html");
  return nf ? { file: nf, status: 404 } : null;
}

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  htm: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  json: "application/json",
  txt: "text/plain; charset=utf-8",
  md: "text/markdown; charset=utf-8",
  xml: "application/xml",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  ico: "image/x-icon",
  wasm: "application/wasm",
  woff: "font/woff",
  woff2: "font/woff2",
  pdf: "application/pdf",
  map: "application/json",
};

export function contentTypeOf(path: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  return (ext && TYPES[ext]) || "application/octet-stream";
}
