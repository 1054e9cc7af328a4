/**
 * @module Pure reward arithmetic: the price of a receipt's usage and the 70/20/10 split. Exact bigint
 * integer arithmetic; nothing is burned: every unit of the reward lands with the node, a validator or
 * the treasury.
 */
import { ReceiptKind as Kind, type ReceiptKind, type Usage } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import type { ReceiptsParams } from "./params.js";

const GIB = 1n << 30n;
const PPM = 1_000_000n;

/** storage: floor(bytes · storagePricePerGib / 2^30); compute: floor(cycles · computePricePerMegacycle / 10^6). */
export function priceOf(kind: ReceiptKind, u: Usage, p: ReceiptsParams): bigint {
  if (kind === Kind.RECEIPT_KIND_STORAGE) return (u.bytes * p.storagePricePerGib) / GIB;
  if (kind === Kind.RECEIPT_KIND_COMPUTE) return (u.computeCycles * p.computePricePerMegacycle) / PPM;
  return 0n;
}

export interface PowerShare {
  readonly operator: string;
  readonly power: bigint;
}

export interface Split {
  readonly node: bigint;
  /** validators[i] gets perValidator[i] (same order as given), only those with power > 0 */
  readonly perValidator: readonly { operator: string; amount: bigint }[];
  readonly validatorsTotal: bigint;
  readonly treasury: bigint;
}

/**
 * node = floor(R · nodePpm / 10^6); validator pool V = floor(R · validatorsPpm / 10^6), each validator
 * floor(V · power / total power); the treasury gets R − node − Σ validator amounts, i.e. its own 10% plus
 * every rounding remainder (and the whole pool V when no validator has power). So node + validators +
 * treasury = R exactly.
 */
export function splitReward(total: bigint, p: ReceiptsParams, validators: readonly PowerShare[]): Split {
  const node = (total * p.nodeSharePpm) / PPM;
  const pool = (total * p.validatorsSharePpm) / PPM;
  const powered = validators.filter((v) => v.power > 0n);
  const totalPower = powered.reduce((s, v) => s + v.power, 0n);
  const perValidator =
    totalPower === 0n ? [] : powered.map((v) => ({ operator: v.operator, amount: (pool * v.power) / totalPower }));
  const validatorsTotal = perValidator.reduce((s, v) => s + v.amount, 0n);
  return { node, perValidator, validatorsTotal, treasury: total - node - validatorsTotal };
}
