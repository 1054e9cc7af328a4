/** @module The celestia-node Blob JSON shape (`namespace`, `data`, `share_version`, `commitment`, `index`, `signer`). */

import { IntegrityError } from "../../../common/errors.js";
import { bytesEqual } from "../../../common/hash.js";
import { createCommitment } from "../commitment/commitment.js";
import { NAMESPACE_SIZE } from "../commitment/namespace.js";
import { type ShareVersion, SIGNER_SIZE } from "../commitment/shares.js";
import { DAError } from "./errors.js";

export interface BlobJson {
  namespace: string;
  data: string;
  share_version: number;
  commitment: string;
  index: number;
  signer?: string | null;
}

/** A blob decoded from JSON whose commitment has been recomputed and checked. */
export interface VerifiedBlob {
  readonly namespace: Uint8Array;
  readonly data: Uint8Array;
  readonly shareVersion: ShareVersion;
  readonly commitment: Uint8Array;
  /** Index of the blob's first share in the square; -1 when not read from a block. */
  readonly index: number;
  readonly signer?: Uint8Array;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");

function decodeBase64(field: string, value: unknown): Uint8Array {
  if (typeof value !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    throw new DAError("protocol", `blob field "${field}" is not base64`);
  }
  return new Uint8Array(Buffer.from(value, "base64"));
}

/** JSON for blob.Submit: the commitment is computed locally because Submit returns only the height. */
export function encodeBlobJson(
  namespace: Uint8Array,
  data: Uint8Array,
  commitment: Uint8Array = createCommitment(namespace, data),
  index = -1,
  shareVersion: ShareVersion = 0,
  signer?: Uint8Array,
): BlobJson {
  const out: BlobJson = {
    namespace: b64(namespace),
    data: b64(data),
    share_version: shareVersion,
    commitment: b64(commitment),
    index,
  };
  if (shareVersion === 1 && signer) out.signer = b64(signer);
  return out;
}

/**
 * Parses a Blob from JSON and recomputes its share commitment; a mismatch between the data and the
 * commitment the node sent is an IntegrityError (the node, or something between us, changed it).
 */
export function decodeAndVerifyBlob(raw: unknown): VerifiedBlob {
  if (raw === null || typeof raw !== "object") throw new DAError("protocol", "blob is not a JSON object");
  const o = raw as Record<string, unknown>;
  const namespace = decodeBase64("namespace", o.namespace);
  if (namespace.length !== NAMESPACE_SIZE)
    throw new DAError("protocol", `blob namespace is ${namespace.length} bytes, want 29`);
  const data = decodeBase64("data", o.data);
  const commitment = decodeBase64("commitment", o.commitment);
  const sv = o.share_version ?? 0;
  if (sv !== 0 && sv !== 1) throw new DAError("protocol", `unsupported blob share_version ${String(sv)}`);
  const shareVersion = sv as ShareVersion;
  let signer: Uint8Array | undefined;
  if (o.signer !== undefined && o.signer !== null && o.signer !== "") signer = decodeBase64("signer", o.signer);
  if (shareVersion === 1 && signer?.length !== SIGNER_SIZE)
    throw new DAError("protocol", "share version 1 blob without a 20-byte signer");
  const index = typeof o.index === "number" ? o.index : -1;
  let actual: Uint8Array;
  try {
    actual = createCommitment(namespace, data, shareVersion === 1 ? { shareVersion, signer } : {});
  } catch (e) {
    throw new IntegrityError("blob from DA cannot be re-encoded into shares", { cause: e });
  }
  if (!bytesEqual(actual, commitment)) {
    throw new IntegrityError("blob from DA does not match its share commitment", {
      details: "The data returned by the DA node was altered in transit or by the node; it has been discarded.",
      meta: { claimed: b64(commitment), computed: b64(actual), bytes: data.length },
    });
  }
  return signer
    ? { namespace, data, shareVersion, commitment, index, signer }
    : { namespace, data, shareVersion, commitment, index };
}
