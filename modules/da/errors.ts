/** @module da errors (codespace "da"); codes are only ever added. */
import { registerError } from "../../chain-app/errors.js";

export const DAErrors = {
  InvalidNamespace: registerError("da", 2, "invalid namespace"),
  EmptyBlob: registerError("da", 3, "empty blob"),
  BlobTooLarge: registerError("da", 4, "blob exceeds max_blob_bytes"),
  BlockFull: registerError("da", 5, "this block already holds max_blobs_per_block blobs"),
  InsufficientFee: registerError("da", 6, "cannot pay the blob fee"),
} as const;
