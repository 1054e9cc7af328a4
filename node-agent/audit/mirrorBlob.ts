/** @module The audit mirror's blob: "DSDNAUD" + version, a JSON batch of record lines, and the writer's ed25519 signature. */
import { ed25519Sign, ed25519Verify } from "../../common/ed25519.js";
import { bytesEqual, concatBytes, fromHex, toHex } from "../../common/hash.js";

const MAGIC = new TextEncoder().encode("DSDNAUD");
const VERSION = 1;
const DOMAIN = new TextEncoder().encode("dsdn.audit.v1.MirrorBatch\0");

export interface MirrorBatch {
  /** Writer's ed25519 public key. */
  readonly writer: Uint8Array;
  readonly lines: readonly string[];
}

/** prefix(8) || body (JSON) || signature(64) over DOMAIN || body. Event replayers skip it as foreign. */
export function encodeMirrorBlob(lines: readonly string[], writer: Uint8Array, secretKey: Uint8Array): Uint8Array {
  const body = new TextEncoder().encode(JSON.stringify({ writer: toHex(writer), lines }));
  const sig = ed25519Sign(concatBytes(DOMAIN, body), secretKey);
  return concatBytes(MAGIC, Uint8Array.of(VERSION), body, sig);
}

/** The batch when the blob is an audit batch of `writer` with a valid signature; undefined otherwise. */
export function decodeMirrorBlob(blob: Uint8Array, writer: Uint8Array): MirrorBatch | undefined {
  if (blob.length < MAGIC.length + 1 + 64) return undefined;
  if (!bytesEqual(blob.subarray(0, MAGIC.length), MAGIC) || blob[MAGIC.length] !== VERSION) return undefined;
  const body = blob.subarray(MAGIC.length + 1, blob.length - 64);
  const sig = blob.subarray(blob.length - 64);
  if (!ed25519Verify(sig, concatBytes(DOMAIN, body), writer)) return undefined;
  try {
    const v = JSON.parse(new TextDecoder().decode(body)) as { writer?: unknown; lines?: unknown };
    if (typeof v.writer !== "string" || !bytesEqual(fromHex(v.writer), writer)) return undefined;
    if (!Array.isArray(v.lines) || !v.lines.every((l) => typeof l === "string")) return undefined;
    return { writer, lines: v.lines as string[] };
  } catch {
    return undefined;
  }
}
