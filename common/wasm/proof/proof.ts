/** @module The one-step proof: the pre-state's clear fields plus a witness for everything the instruction touches. */
import type { HostCommit } from "../hostState.js";
import type { KvPath } from "../kvTree.js";
import type { Hash } from "../trace/hashing.js";
import type { Value } from "../types.js";
import type { FuncMeta, StepState } from "./stepState.js";

export interface ValueWitness {
  readonly index: number;
  /** undefined = an empty slot (at or above sp). */
  readonly value: Value | undefined;
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
  /** Table elements touched (pre-state values). */
  readonly elems: readonly {
    readonly table: number;
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

function hostSize(h: HostWitness): number {
  const c = h.commit;
  let n = 4 + h.name.length + 32 + 8 + 64 + 8 + 32 + 1 + c.output.tail.length + 8 + 4 + 32 + 4 + c.stderr.length;
  n += 32 + 4 + 8 + 4 + 8 + 8 + 5;
  for (const x of h.input) n += 4 + x.bytes.length + 32 * x.path.length;
  if (h.kv) n += 4 + h.kv.key.length + 32 * h.kv.path.siblings.length + 77 + 65 + (h.kv.value?.length ?? 0);
  return n;
}

/** Size of the proof in bytes as it would be encoded (fixed-width fields, 32-byte hashes). */
export function proofSize(p: StepProof): number {
  const path = (x: readonly Hash[]) => 32 * x.length;
  let n = 1 + 8 + 8 + 4 * 4 + 32 * 4 + 4 + 32 * 2; // state
  n += 30 + p.meta.localTypes.length + 64 + path(p.metaPath);
  for (const c of p.code) n += 4 + 4 * c.words.length + path(c.path);
  for (const c of p.consts) n += 4 + 8 + path(c.path);
  for (const w of [...p.stack, ...p.globals]) n += 4 + 9 + path(w.path);
  for (const c of p.memory) n += 4 + c.bytes.length + path(c.path);
  n += p.types.length * 36 + p.tables.length * 44 + p.elems.length * 17;
  for (const x of [...p.types, ...p.tables, ...p.elems]) n += path(x.path);
  if (p.caller) n += 12 + 32;
  if (p.host) n += hostSize(p.host);
  if (p.callee) n += 8 + 30 + p.callee.meta.localTypes.length + 96 + path(p.callee.addrPath) + path(p.callee.metaPath);
  return n;
}
