/** @module Namespaces, sparse shares, NMT and the go-square blob share commitment. */
export {
  COMMITMENT_SIZE,
  type CommitmentOptions,
  createCommitment,
  SUBTREE_ROOT_THRESHOLD,
  subtreeRoots,
  verifyCommitment,
} from "./commitment.js";
export {
  blobMinSquareSize,
  merkleMountainRangeSizes,
  merkleRoot,
  roundDownPowerOfTwo,
  roundUpPowerOfTwo,
  subtreeWidth,
} from "./merkle.js";
export {
  NAMESPACE_SIZE,
  NAMESPACE_V0_SUB_ID_SIZE,
  type Namespace,
  namespaceEquals,
  namespaceFromName,
  namespaceProblem,
  namespaceToBase64,
  namespaceToHex,
  namespaceV0,
  PARITY_SHARE_NAMESPACE,
  parseNamespaceBase64,
  parseNamespaceHex,
  toNamespace,
} from "./namespace.js";
export { NMT_NODE_SIZE, nmtInnerNode, nmtLeafNode, nmtRoot } from "./nmt.js";
export {
  CONTINUATION_SPARSE_SHARE_CONTENT_SIZE,
  checkBlobShape,
  FIRST_SPARSE_SHARE_CONTENT_SIZE,
  SHARE_SIZE,
  type ShareVersion,
  SIGNER_SIZE,
  sparseSharesNeeded,
  splitBlobToShares,
} from "./shares.js";
