/** @module Store layout of the receipts module (keys under "receipts/"). Prefixes are never reused. */
import { addrKey, concat } from "../../chain-app/encoding.js";

export const MODULE_NAME = "receipts";

export const Prefix = {
  /** 0x01 -> Params (canonical JSON) */
  Params: 0x01,
  /** 0x02 | receipt id(32) -> dsdn.receipts.v1.Claim */
  Claim: 0x02,
  /** 0x03 | replay key(32) -> receipt id(32): one claim per (kind, workload, node, epoch, sequence) */
  Replay: 0x03,
  /** 0x04 retired (was: the compute claim queue; claims now pay at once after their window); never reuse */
  RetiredPending: 0x04,
  /** 0x05 | len(1) | lower address | len(1) | higher address -> height(u64): a direct MsgSend between the two, either way */
  Transfer: 0x05,
  /** 0x06 retired (was: first funder per address — a third party could set it); never reuse */
  RetiredFunder: 0x06,
  /** 0x07 -> decimal amount: validators' shares of paid claims, held in reward_pool until end block splits them */
  ValidatorPot: 0x07,
} as const;

export const paramsKey = Uint8Array.of(Prefix.Params);
export const claimKey = (id: Uint8Array) => concat(Uint8Array.of(Prefix.Claim), id);
export const replayKeyOf = (key: Uint8Array) => concat(Uint8Array.of(Prefix.Replay), key);
export const transferKey = (a: Uint8Array, b: Uint8Array) =>
  Buffer.compare(a, b) <= 0
    ? concat(Uint8Array.of(Prefix.Transfer), addrKey(a), addrKey(b))
    : concat(Uint8Array.of(Prefix.Transfer), addrKey(b), addrKey(a));
export const validatorPotKey = Uint8Array.of(Prefix.ValidatorPot);
