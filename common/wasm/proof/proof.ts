/** @module The one-step proof: the pre-state's clear fields plus a witness for everything the instruction touches. */
import type { HostCommit } from "../hostState.js";
import type { KvPath } from "../kvTree.js";
import type { Hash } from "../trace/hashing.js";
import type { Value } from "../types.js";
import { encodeStepProof } from "./codec.js";
import type { FuncMeta, StepState } from "./stepState.js";

export interface ValueWitness {
  readonly index: number;
  /** undefined = an empty slot (at or above sp). */
  readonly value: Value | undefined;
  readonly path: readonly Hash[];
}

export interface SegWitness {
  readonly index: number;
  readonly len: number;
  readonly root: Hash;
  readonly path: readonly Hash[];
}

export interface StepProof {
  readonly state: StepState;
  /** The current function's leaf and its path in the functions tree. */
  readonly meta: FuncMeta;
  readonly metaPath: readonly Hash[];
  /** Code chunks (CODE_CHUNK words each) of the current function that the step reads. */
  readonly code: readonly {
    readonly index: number;
    readonly words: readonly number[];
    readonly path: readonly Hash[];
  }[];
  readonly consts: readonly { readonly index: number; readonly value: bigint; readonly path: readonly Hash[] }[];
  readonly stack: readonly ValueWitness[];
  readonly globals: readonly ValueWitness[];
  /** 1 KiB memory chunks the step reads or writes (pre-state bytes). */
  readonly memory: readonly { readonly index: number; readonly bytes: Uint8Array; readonly path: readonly Hash[] }[];
  /** Type signatures of the instance (call_indirect's expected type). */
  readonly types: readonly { readonly index: number; readonly sig: Hash; readonly path: readonly Hash[] }[];
  /** Tables touched: size, maximum and elements root, with their path in the tables tree. */
  readonly tables: readonly {
    readonly index: number;
    readonly size: number;
    readonly max: number;
    readonly elemsRoot: Hash;
    readonly path: readonly Hash[];
  }[];
  /** Table elements touched (pre-state values; undefined = beyond the size, where table.grow writes). */
  readonly elems: readonly {
    readonly table: number;
    readonly index: number;
    readonly value: Value | undefined;
    readonly path: readonly Hash[];
  }[];
  /** table.grow: the number of tables of the main instance, proven by the empty leaf at that index. */
  readonly tableCount?: { readonly count: number; readonly path: readonly Hash[] };
  /** Data segments touched (memory.init, data.drop): pre-state length and chunk root, with their path. */
  readonly datas: readonly SegWitness[];
  /** Chunks (zero-padded to 1 KiB) of data segments that memory.init reads. */
  readonly dataChunks: readonly {
    readonly seg: number;
    readonly index: number;
    readonly bytes: Uint8Array;
    readonly path: readonly Hash[];
  }[];
  /** Element segments touched (elem.drop, table.init): pre-state length and elements root, with their path. */
  readonly elemSegs: readonly SegWitness[];
  /** Elements of element segments that table.init reads. */
  readonly segElems: readonly {
    readonly seg: number;
    readonly index: number;
    readonly value: Value;
    readonly path: readonly Hash[];
  }[];
  /** The callee of a call (index -1 and an empty addrPath for call_indirect, whose address comes from the table): its index in the instance, store address and metadata, with both paths. */
  readonly callee?: {
    readonly index: number;
    readonly addr: number;
    readonly addrPath: readonly Hash[];
    readonly meta: FuncMeta;
    readonly metaPath: readonly Hash[];
  };
  /** What a host call reads of the host state (absent for every other step). */
  readonly host?: HostWitness;
  /** The caller frame popped by a return, and the chain below it. */
  readonly caller?: { readonly func: number; readonly pc: number; readonly base: number; readonly prev: Hash };
}

/**
 * The host state behind a host call: the function's name (its leaf's code root is hostNameHash(name)),
 * the pre-state host commit and segments hash (together `restHash`), the input chunks the call copies
 * with their paths under `commit.inputRoot`, and the one key-value entry it reads or writes with its
 * path under `commit.kvRoot` (value included when present). Memory chunks go in `StepProof.memory`.
 */
export interface HostWitness {
  readonly name: string;
  readonly segments: Hash;
  readonly commit: HostCommit;
  readonly input: readonly { readonly index: number; readonly bytes: Uint8Array; readonly path: readonly Hash[] }[];
  readonly kv?: { readonly key: Uint8Array; readonly path: KvPath; readonly value?: Uint8Array };
}

/** Size of the proof's canonical encoding (codec.ts). */
export function proofSize(p: StepProof): number {
  return encodeStepProof(p).length;
}
