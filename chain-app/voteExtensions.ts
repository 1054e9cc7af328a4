/**
 * @module ABCI 2.0 vote extensions: CometBFT's canonical sign bytes, the extended commit the proposer
 * injects as the first item of its proposal (the SDK way), and the checks every validator repeats on it.
 */
import { type CommitInfo, ExtendedCommitInfo, type ExtendedVoteInfo } from "cosmjs-types/tendermint/abci/types";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import { ed25519Verify } from "../common/ed25519.js";
import { decodeCanonical } from "../common/protobuf.js";

/** Largest injected extended commit accepted (bounds decode work; ~150 validators × small extensions). */
export const MAX_INJECTED_COMMIT_BYTES = 256 * 1024;
/** Largest single vote extension accepted before the module even looks at it. */
export const MAX_VOTE_EXTENSION_BYTES = 1024;

/** Extensions are signed at `height` iff the consensus param enables them there (CometBFT's rule). */
export function extensionsEnabled(enableHeight: bigint, height: bigint): boolean {
  return enableHeight > 0n && height >= enableHeight;
}

function uvarint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

function sfixed64(n: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  for (let i = 0; i < 8; i++) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  return out;
}

/**
 * `types.VoteExtensionSignBytes`: the length-delimited `tendermint.types.CanonicalVoteExtension
 * {bytes extension = 1; sfixed64 height = 2; sfixed64 round = 3; string chain_id = 4}`, default
 * (zero/empty) fields omitted as gogoproto does. Hand-encoded: cosmjs-types does not ship it.
 */
export function voteExtensionSignBytes(chainId: string, height: bigint, round: bigint, extension: Uint8Array) {
  const body: number[] = [];
  if (extension.length > 0) body.push(0x0a, ...uvarint(extension.length), ...extension);
  if (height !== 0n) body.push(0x11, ...sfixed64(height));
  if (round !== 0n) body.push(0x19, ...sfixed64(round));
  const chain = new TextEncoder().encode(chainId);
  if (chain.length > 0) body.push(0x22, ...uvarint(chain.length), ...chain);
  return Uint8Array.from([...uvarint(body.length), ...body]);
}

export function encodeInjectedCommit(info: ExtendedCommitInfo): Uint8Array {
  return ExtendedCommitInfo.encode(ExtendedCommitInfo.fromPartial(info)).finish();
}

/** Label indexers and REST answers give the injected item (its ExecTxResult log is "vote extensions"). */
export const INJECTED_COMMIT_LABEL =
  "vote extensions: the extended commit the proposer injects first in a block (ABCI 2.0), not a transaction";

/**
 * Whether a block item is the injected extended commit rather than a transaction, from its bytes alone, for
 * indexers and explorers: CometBFT indexes it like any tx (by hash and tx.height), but a TxRaw decoder
 * fails on it (CosmJS's decodeTxRaw throws "index out of range"). The two never overlap: a TxRaw always
 * starts with field 1 as bytes (0x0a, body_bytes), which a canonical ExtendedCommitInfo never holds
 * (its field 1 is the varint round, tag 0x08).
 */
export function isInjectedCommit(item: Uint8Array): boolean {
  if (item.length > MAX_INJECTED_COMMIT_BYTES || item[0] === 0x0a) return false;
  try {
    decodeCanonical(ExtendedCommitInfo, item, "extended commit");
    return true;
  } catch {
    return false;
  }
}

/** What a module with vote extensions supplies to the checks; answers must be the same on every validator. */
export interface ExtensionVerifier {
  /** Why the extension is malformed, or undefined when it is well-formed. */
  check(ext: Uint8Array): string | undefined;
  /** The ed25519 consensus key of the validator with this CometBFT address, if known. */
  consensusPubkey(address: Uint8Array): Uint8Array | undefined;
}

const eq = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/**
 * Decodes the injected item of a proposal at `height` and checks it against the block's own last
 * commit (`proposed`, which CometBFT built from its validator set and the verified commit signatures):
 * the proposer cannot omit, add, reorder or re-weight votes, and every extension of a committing vote
 * must carry that validator's signature over the canonical sign bytes of `height - 1`. Returns the votes
 * or the reason for refusal.
 */
export function verifyInjectedCommit(
  item: Uint8Array | undefined,
  proposed: CommitInfo | undefined,
  chainId: string,
  height: bigint,
  v: ExtensionVerifier,
): { votes: ExtendedVoteInfo[] } | { reason: string } {
  if (item === undefined) return { reason: "missing injected extended commit" };
  if (item.length > MAX_INJECTED_COMMIT_BYTES) return { reason: "injected extended commit too large" };
  let info: ExtendedCommitInfo;
  try {
    info = decodeCanonical(ExtendedCommitInfo, item, "extended commit");
  } catch (e) {
    return { reason: e instanceof Error ? e.message : String(e) };
  }
  const want = proposed?.votes ?? [];
  if (info.round !== (proposed?.round ?? 0)) return { reason: "extended commit round differs from the last commit" };
  if (info.votes.length !== want.length) return { reason: "extended commit votes differ from the last commit" };
  // CometBFT only lets a block in whose last commit holds +2/3 of the power (it verifies every signature,
  // but not that every vote is there): a proposer may drop votes only while more than 2/3 stay. Checked
  // here again so the bound on omission (and on who looks absent to the oracle) is the app's own rule too.
  let total = 0n;
  let committed = 0n;
  for (const w of want) {
    total += w.validator?.power ?? 0n;
    if (w.blockIdFlag === BlockIDFlag.BLOCK_ID_FLAG_COMMIT) committed += w.validator?.power ?? 0n;
  }
  if (total > 0n && committed * 3n <= total * 2n) return { reason: "last commit holds no more than 2/3 of the power" };
  for (const [i, vote] of info.votes.entries()) {
    const w = want[i];
    const addr = vote.validator?.address ?? new Uint8Array();
    if (!w || !eq(addr, w.validator?.address ?? new Uint8Array()))
      return { reason: `vote ${i}: validator differs from the last commit` };
    if ((vote.validator?.power ?? 0n) !== (w.validator?.power ?? 0n)) return { reason: `vote ${i}: power differs` };
    if (vote.blockIdFlag !== w.blockIdFlag) return { reason: `vote ${i}: block id flag differs` };
    if (vote.blockIdFlag !== BlockIDFlag.BLOCK_ID_FLAG_COMMIT) {
      if (vote.voteExtension.length > 0 || vote.extensionSignature.length > 0)
        return { reason: `vote ${i}: extension on a vote that did not commit` };
      continue;
    }
    if (vote.voteExtension.length > MAX_VOTE_EXTENSION_BYTES) return { reason: `vote ${i}: extension too large` };
    const bad = v.check(vote.voteExtension);
    if (bad) return { reason: `vote ${i}: ${bad}` };
    const pubkey = v.consensusPubkey(addr);
    if (!pubkey) return { reason: `vote ${i}: unknown validator` };
    const msg = voteExtensionSignBytes(chainId, height - 1n, BigInt(info.round), vote.voteExtension);
    if (vote.extensionSignature.length !== 64 || !ed25519Verify(vote.extensionSignature, msg, pubkey))
      return { reason: `vote ${i}: invalid extension signature` };
  }
  return { votes: info.votes };
}
