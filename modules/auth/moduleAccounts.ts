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

/** Module addresses by name (a fixed, small set), hashed once: the fee collector is paid by every tx. */
const moduleAddresses = new Map<string, Uint8Array>();

export function moduleAddressBytes(name: string): Uint8Array {
  // A copy: callers may write into what they get.
  return cachedModuleAddress(name).slice();
}

/** The cached address itself: never handed out, only compared (isModuleAddress). */
function cachedModuleAddress(name: string): Uint8Array {
  let a = moduleAddresses.get(name);
  if (a === undefined) {
    a = sha256(utf8(name)).subarray(0, 20);
    // Names come from code and params (blocked accounts); the bound only guards against a misuse.
    if (moduleAddresses.size >= 1024) moduleAddresses.clear();
    moduleAddresses.set(name, a);
  }
  return a;
}

/** Whether `addr` is module `name`'s account, without copying its address (bank checks every blocked module per send). */
export function isModuleAddress(name: string, addr: Uint8Array): boolean {
  return Buffer.compare(cachedModuleAddress(name), addr) === 0;
}

export function moduleAddress(name: string): string {
  return toBech32Address(moduleAddressBytes(name));
}
