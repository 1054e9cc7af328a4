/** @module Module accounts: addresses derived from names (sha256(name)[:20], as x/auth does). */

import { utf8 } from "../../chain-app/encoding.js";
import { sha256 } from "../../common/hash.js";
import { toBech32Address } from "../../common/secp256k1.js";

export const ModuleAccount = {
  FeeCollector: "fee_collector",
  RewardPool: "reward_pool",
  Treasury: "treasury",
  SubsidyPool: "subsidy_pool",
  BondedPool: "bonded_tokens_pool",
  NotBondedPool: "not_bonded_tokens_pool",
  /** Challenger bonds of open fraud games. */
  FraudEscrow: "fraud_escrow",
  /** Validators' fee rewards, collected each end block and held until withdrawn. */
  Distribution: "distribution",
  /** Proposal deposits in escrow until the proposal ends. */
  Gov: "gov",
} as const;
export type ModuleAccountName = (typeof ModuleAccount)[keyof typeof ModuleAccount];

export const ALL_MODULE_ACCOUNTS: readonly ModuleAccountName[] = Object.values(ModuleAccount);

export function moduleAddressBytes(name: string): Uint8Array {
  return sha256(utf8(name)).subarray(0, 20);
}

export function moduleAddress(name: string): string {
  return toBech32Address(moduleAddressBytes(name));
}
