/**
 * @module The epoch seed: an ECVRF (RFC 9381) output over (chain id, epoch, previous seed) by a producer chosen
 * from the previous seed — no block field enters it, so a block proposer has nothing to grind. Pure helpers
 * shared by the chain (verification) and the coordinators (proving).
 */
import { sha512 } from "@noble/hashes/sha2.js";
import { concat, u64be, utf8 } from "../../chain-app/encoding.js";
import { compareBytes } from "../../chain-app/store/bytes.js";
import { ecvrfProve, ecvrfPublicKey } from "../../common/ecvrf.js";
import { sha256 } from "../../common/hash.js";

/** Seed of epoch 0: what the first request chains to (public from genesis). */
export function genesisSeed(chainId: string): Uint8Array {
  return sha256(concat(utf8("dsdn.committee.v1.genesis-seed\0"), utf8(chainId)));
}

/** The ECVRF input alpha for `epoch`'s seed. */
export function seedAlpha(chainId: string, epoch: bigint, prevSeed: Uint8Array): Uint8Array {
  return concat(utf8("dsdn.committee.v1.epoch-seed\0"), utf8(chainId), Uint8Array.of(0), u64be(epoch), prevSeed);
}

/** The draw seed from a verified ECVRF output (beta, 64 bytes): its first 32 bytes. */
export function seedFromOutput(beta: Uint8Array): Uint8Array {
  return beta.slice(0, 32);
}

/** The draw seed of DKG attempt `attempt` > 0: re-derived from the epoch's VRF seed, so nobody picks it. */
export function redrawSeed(vrfSeed: Uint8Array, attempt: number): Uint8Array {
  const a = new Uint8Array(4);
  new DataView(a.buffer).setUint32(0, attempt);
  return sha256(concat(utf8("dsdn.committee.v1.redraw\0"), vrfSeed, a));
}

/**
 * Designation order of the producers: the pool sorted by sha256(prev seed ‖ operator) — a permutation fixed
 * by the previous seed over a pool snapshotted before that seed existed.
 */
export function producerOrder<T extends { readonly operator: string }>(prevSeed: Uint8Array, pool: readonly T[]): T[] {
  const key = (op: string) => sha256(concat(utf8("dsdn.committee.v1.producer\0"), prevSeed, utf8(op)));
  return pool
    .map((m) => ({ m, k: key(m.operator) }))
    .sort((a, b) => compareBytes(a.k, b.k))
    .map((x) => x.m);
}

/** Index of the slot open at `now` (block time): slot i runs [openedAt + i·slot, openedAt + (i+1)·slot). */
export function slotAt(openedAt: bigint, now: bigint, slotSeconds: bigint): bigint {
  return now <= openedAt ? 0n : (now - openedAt) / slotSeconds;
}

/**
 * The coordinator's ECVRF secret: derived from its identity seed under its own domain, so the identity key's
 * Ed25519 signatures and the VRF never share a key (their RFC 8032-style nonces would otherwise collide).
 */
export function vrfSecretFromIdentity(identitySeed: Uint8Array): Uint8Array {
  return sha512(concat(utf8("dsdn.committee.v1.vrf-key\0"), identitySeed)).slice(0, 32);
}

export function vrfPublicKeyFromIdentity(identitySeed: Uint8Array): Uint8Array {
  return ecvrfPublicKey(vrfSecretFromIdentity(identitySeed));
}

/** The proof a designated coordinator submits for `epoch`. */
export function proveEpochSeed(
  identitySeed: Uint8Array,
  chainId: string,
  epoch: bigint,
  prevSeed: Uint8Array,
): Uint8Array {
  return ecvrfProve(vrfSecretFromIdentity(identitySeed), seedAlpha(chainId, epoch, prevSeed));
}
