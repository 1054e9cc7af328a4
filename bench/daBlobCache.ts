/**
 * @module The DA bench's generated blobs cached on disk (git-ignored `.bench/da-blobs/`), keyed by the generator's
 * parameters and a version, so a rerun measures replay only (generating 1M signed events takes minutes).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SampleBlob } from "../node-agent/da/events/sampleWorkload.js";

/** Bump when the generator's output changes for the same parameters (workload, envelope or batch encoding). */
export const DA_BLOB_CACHE_VERSION = 2;

const MAGIC = Buffer.from("DSDNBENCHBLOBS1\n");

/** The cache file for these parameters: every parameter and the version feed its name. */
export function blobCachePath(repo: string, params: Readonly<Record<string, string | number>>): string {
  const key = JSON.stringify({ v: DA_BLOB_CACHE_VERSION, ...params }, Object.keys(params).sort().concat("v"));
  const name = createHash("sha256").update(key).digest("hex").slice(0, 24);
  return join(repo, ".bench", "da-blobs", `${name}.bin`);
}

/** Record per blob: uint64be height, uint32be events, 32-byte publisher, uint32be length, data. */
function encode(blobs: readonly SampleBlob[]): Buffer {
  const parts: Buffer[] = [MAGIC];
  for (const b of blobs) {
    const h = Buffer.alloc(48);
    h.writeBigUInt64BE(b.height, 0);
    h.writeUInt32BE(b.events, 8);
    Buffer.from(b.publisher, "hex").copy(h, 12);
    h.writeUInt32BE(b.data.length, 44);
    parts.push(h, Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength));
  }
  return Buffer.concat(parts);
}

/** The cached blobs, or undefined when absent or unreadable (then the caller regenerates them). */
function decode(file: Buffer): SampleBlob[] | undefined {
  if (file.length < MAGIC.length || !file.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const out: SampleBlob[] = [];
  let o = MAGIC.length;
  while (o < file.length) {
    if (o + 48 > file.length) return undefined;
    const len = file.readUInt32BE(o + 44);
    if (o + 48 + len > file.length) return undefined;
    out.push({
      height: file.readBigUInt64BE(o),
      events: file.readUInt32BE(o + 8),
      publisher: file.toString("hex", o + 12, o + 44),
      // A copy per blob, as a DA layer would deliver it (not a view that keeps the whole file alive).
      data: new Uint8Array(file.subarray(o + 48, o + 48 + len)),
    });
    o += 48 + len;
  }
  return out;
}

/** The blobs for `params` from the cache when present, else `generate()`d and stored (atomically) for next time. */
export function cachedBlobs(path: string, generate: () => SampleBlob[]): { blobs: SampleBlob[]; cached: boolean } {
  if (existsSync(path)) {
    const blobs = decode(readFileSync(path));
    if (blobs) return { blobs, cached: true };
  }
  const blobs = generate();
  mkdirSync(join(path, ".."), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, encode(blobs));
  renameSync(tmp, path);
  return { blobs, cached: false };
}
