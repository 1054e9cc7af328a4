/**
 * @module Pure reward arithmetic: the USD value of a receipt's usage (receipt v2), and the 70/20/10 split of
 * what it pays in unusa. Exact bigint integer arithmetic; nothing is burned: every unit of the reward lands
 * with the node, a validator or the treasury.
 */
import { ReceiptKind as Kind, type ReceiptKind, type Usage } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import type { ReceiptsParams } from "./params.js";

const GIB = 1n << 30n;
const PPM = 1_000_000n;
/** nano-USD per micro-USD: the value is kept in nano-USD so a small job is not rounded to nothing. */
const NANO_PER_MICRO = 1_000n;

/**
 * A receipt v2's `reward`: its usage's value in nano-USD. storage: floor(bytes · storagePriceMicroUsdPerGib ·
 * 1000 / 2^30); compute: floor(cycles · computePriceMicroUsdPerMegacycle · 1000 / 10^6).
 */
export function usdValueOf(kind: ReceiptKind, u: Usage, p: ReceiptsParams): bigint {
  if (kind === Kind.RECEIPT_KIND_STORAGE) return (u.bytes * p.storagePriceMicroUsdPerGib * NANO_PER_MICRO) / GIB;
  if (kind === Kind.RECEIPT_KIND_COMPUTE)
    return (u.computeCycles * p.computePriceMicroUsdPerMegacycle * NANO_PER_MICRO) / PPM;
  return 0n;
}

/** A claim's reward split: node and treasury are paid at once; `validators` goes to the block's validator pot (paid by distribution). */
export interface Split {
  readonly node: bigint;
  readonly validators: bigint;
  readonly treasury: bigint;
}

/**
 * node = floor(R · nodePpm / 10^6); validators V = floor(R · validatorsPpm / 10^6); treasury = R − node − V
 * (its own 10% plus the rounding remainders). node + V + treasury = R exactly.
 */
export function splitReward(total: bigint, p: ReceiptsParams): Split {
  const node = (total * p.nodeSharePpm) / PPM;
  const validators = (total * p.validatorsSharePpm) / PPM;
  return { node, validators, treasury: total - node - validators };
}
