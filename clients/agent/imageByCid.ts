/**
 * @module A MicroVM image given by CID (an already uploaded tar): read back by the submitter — bounded, unencrypted,
 * and unpacked strictly as a node will — so the signed spec names its exact size and sha256 without a new upload.
 */
import { readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { BaseError, ErrorCode } from "../../common/errors.js";
import { unpackImage } from "../../node-agent/compute/image.js";
import { IntentError } from "../../node-agent/compute/intent.js";
import { MAX_IMAGE_TAR_BYTES } from "../../node-agent/compute/packImage.js";
import type { Keystore } from "./keystore.js";

export interface ImageFetch {
  /** The bytes DA declares stored for the object (its chunks, or shards), or null when DA does not declare it. */
  declaredSize(cid: string): Promise<bigint | null>;
  /** Writes the object to `out` (as `dsdn get` does); says whether it was stored encrypted. */
  get(cid: string, out: string): Promise<{ encrypted: boolean }>;
}

/** The network path: the size from the coordinator's DA view, the bytes as `dsdn get` fetches them (CID-checked). */
export function networkImageFetch(coordinator: string): ImageFetch {
  return {
    async declaredSize(cid) {
      const { CoordinatorClient } = await import("../../node-agent/coordinator/client.js");
      let s: Awaited<ReturnType<InstanceType<typeof CoordinatorClient>["status"]>>;
      try {
        s = await new CoordinatorClient(coordinator).status(cid);
      } catch (e) {
        if ((e as { code?: unknown }).code === ErrorCode.NotFound) return null;
        throw e;
      }
      // A file's bytes are its chunks' (the manifest itself excluded); a lone chunk is its own size.
      const parts = s.manifest ? s.chunks.filter((c) => c.cid !== cid) : s.chunks;
      return parts.reduce((n, c) => n + BigInt(c.size), 0n);
    },
    async get(cid, out) {
      const [{ getFile }, { replicaUrls }] = await Promise.all([import("./get.js"), import("./replicas.js")]);
      const { urls, holders } = await replicaUrls(coordinator, cid);
      // An empty keystore: the bytes as stored, never decrypted with this machine's keys (a node has none).
      const r = await getFile({ manifest: cid, nodes: urls, holders, out, keystore: emptyKeystore() });
      return { encrypted: r.encrypted };
    },
  };
}

/** A keystore that holds no key: an encrypted object is refused (Unauthorized) instead of decrypted. */
function emptyKeystore(): Keystore {
  return { load: async () => null } as unknown as Keystore;
}

/**
 * The image tar named by `cid`: at most MAX_IMAGE_TAR_BYTES (an object DA declares much larger is not fetched; the
 * bytes are checked exactly), stored unencrypted (a node cannot decrypt it), and accepted by the node's strict unpack
 * (image.ts) — each refusal names the `image` field. `tmp` is a private directory for the download and the trial unpack.
 */
export async function imageByCid(cid: string, tmp: string, f: ImageFetch): Promise<Uint8Array> {
  const refuse = (message: string) => new IntentError([{ field: "image", message: `${cid}: ${message}` }]);
  const declared = await f.declaredSize(cid);
  if (declared === null) throw refuse("not declared on DA (an image by CID is an already uploaded tar)");
  // The stored parts' total: erasure-coded shards count more than the file (at most 2× in any layout DSDN uses),
  // so this only keeps a huge object from being fetched; the bytes' own size is checked exactly below.
  if (declared > 2n * BigInt(MAX_IMAGE_TAR_BYTES))
    throw refuse(`is stored as ${declared} bytes; an image is at most ${MAX_IMAGE_TAR_BYTES} bytes`);
  const out = join(tmp, "image-by-cid.tar");
  try {
    let got: { encrypted: boolean };
    try {
      got = await f.get(cid, out);
    } catch (e) {
      if (e instanceof BaseError && e.code === ErrorCode.Unauthorized)
        throw refuse("is stored encrypted: a node cannot read it (upload the image tar unencrypted)");
      throw e;
    }
    if (got.encrypted) throw refuse("is stored encrypted: a node cannot read it (upload the image tar unencrypted)");
    const size = statSync(out).size;
    if (size > MAX_IMAGE_TAR_BYTES) throw refuse(`is ${size} bytes; an image is at most ${MAX_IMAGE_TAR_BYTES} bytes`);
    const tar = new Uint8Array(readFileSync(out));
    // The node's own strict unpack, tried here first: a tar it would refuse is refused before anything is signed.
    let root: string;
    try {
      root = unpackImage(tar, tmp);
    } catch (e) {
      throw refuse((e as Error).message);
    }
    rmSync(root, { recursive: true, force: true });
    return tar;
  } finally {
    rmSync(out, { force: true });
  }
}
