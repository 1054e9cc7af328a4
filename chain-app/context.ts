/** @module The execution context handed to every state transition: metered store, gas, events, block info. */
import type { Event } from "cosmjs-types/tendermint/abci/types";
import { GasMeter, gasStore } from "./gas.js";
import { type KVStore, prefixStore } from "./store/index.js";

export type ExecMode = "genesis" | "check" | "recheck" | "simulate" | "finalize" | "query";

export interface BlockInfo {
  readonly chainId: string;
  readonly height: bigint;
  /** Block time from the header (never the wall clock). */
  readonly timeSeconds: bigint;
  readonly timeNanos: number;
  readonly proposer: Uint8Array;
  /** Hash of the block being finalized (agreed by consensus); empty outside FinalizeBlock. */
  readonly hash?: Uint8Array;
}

const utf8 = new TextEncoder();
/** `<module>/` key prefixes by module name (a fixed, small set), encoded once rather than per store access. */
const modulePrefixes = new Map<string, Uint8Array>();

function modulePrefix(module: string): Uint8Array {
  let p = modulePrefixes.get(module);
  if (p === undefined) {
    p = utf8.encode(`${module}/`);
    modulePrefixes.set(module, p);
  }
  return p;
}

export class Context {
  readonly events: Event[] = [];
  private readonly metered: KVStore;
  /** Module stores opened through this context (a keeper opens its store on every access). */
  private readonly moduleStores = new Map<string, KVStore>();
  /**
   * Whether emitted events are kept. CheckTx answers carry no events (as the SDK's, see NusantaraApp.checkTx)
   * and RECHECK answers none either, so in those modes events are dropped and callers may skip building them;
   * events cost no gas, so the outcome is the same either way.
   */
  readonly recordsEvents: boolean;

  constructor(
    /** The branch this context writes to (un-metered). */
    readonly rawStore: KVStore,
    readonly gas: GasMeter,
    readonly block: BlockInfo,
    readonly mode: ExecMode,
  ) {
    this.metered = gasStore(rawStore, gas);
    this.recordsEvents = mode !== "check" && mode !== "recheck";
  }

  /** A module's own key space (`<module>/…`), gas-metered. */
  moduleStore(module: string): KVStore {
    let s = this.moduleStores.get(module);
    if (s === undefined) {
      s = prefixStore(this.metered, modulePrefix(module));
      this.moduleStores.set(module, s);
    }
    return s;
  }

  emit(...events: Event[]): void {
    if (this.recordsEvents) this.events.push(...events);
  }

  /** A context over another store (a nested branch) sharing this one's gas meter and block. */
  withStore(store: KVStore): Context {
    return new Context(store, this.gas, this.block, this.mode);
  }

  get isCheck(): boolean {
    return this.mode === "check" || this.mode === "recheck";
  }
}

/** Contexts for hooks and genesis are not gas-limited. */
export function unmeteredContext(store: KVStore, block: BlockInfo, mode: ExecMode): Context {
  return new Context(store, new GasMeter(undefined), block, mode);
}
