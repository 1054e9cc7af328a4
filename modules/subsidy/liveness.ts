/**
 * @module Pure liveness-challenge rules (the input of a node's uptime): the period grid of block time, the seed
 * of a period, and the bytes a node's key signs to answer it. Shared by the chain and the storage node.
 */
import { u64be, utf8 } from "../../common/encoding.js";
import { concatBytes, sha256 } from "../../common/hash.js";

const SEED_DOMAIN = utf8("dsdn.subsidy.v1.liveness-seed\0");
const PROOF_DOMAIN = utf8("dsdn.subsidy.v1.LivenessProof\0");

/** Challenge period of `time` (1 = the first `periodSeconds` after `start`); 0 before start. */
export function periodOf(start: bigint, time: bigint, periodSeconds: bigint): bigint {
  if (time < start) return 0n;
  return (time - start) / periodSeconds + 1n;
}

/**
 * A period's seed: sha256(domain ‖ chain_id ‖ 0 ‖ period ‖ hash of the block that opens it). The block hash
 * commits to the previous block's commit (≥ 2/3 of the power's signatures), so nobody knows it before that
 * block; only its proposer can steer it, among variants, and that buys nothing: any seed is as easy to answer
 * for a live node's key and as impossible for anyone else.
 */
export function challengeSeed(chainId: string, period: bigint, blockHash: Uint8Array): Uint8Array {
  return sha256(concatBytes(SEED_DOMAIN, utf8(chainId), Uint8Array.of(0), u64be(period), blockHash));
}

/** What the node's ed25519 key signs: bound to the chain, the node, the period and its seed (no replay). */
export function livenessSigningMessage(
  chainId: string,
  nodeId: Uint8Array,
  period: bigint,
  seed: Uint8Array,
): Uint8Array {
  return concatBytes(PROOF_DOMAIN, utf8(chainId), Uint8Array.of(0), nodeId, u64be(period), seed);
}
