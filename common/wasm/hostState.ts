/**
 * @module The deterministic host state a job sees: its input, the output it writes, log lines, a
 * key-value state with a root (state_root_before/after), and the I/O counters of the usage meter.
 * Pure: no clock, no randomness, no I/O. Its commitment (`HostCommit`) is built for one-step proofs:
 * input as a chunk tree, output as a SHA-256 midstate, logs as a hash chain, the key-value state as a
 * sparse Merkle tree; a verifier rebuilds a HostState from a commit and witnessed input/kv views.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { InputBytes, type InputSource } from "./hostInput.js";
import { type KvLeaf, KvTree, kvLeafOf } from "./kvTree.js";
import { type Midstate, OutputDigest } from "./outputDigest.js";
import { type Hash, sha256Of, Writer } from "./trace/hashing.js";

export interface HostLimits {
  /** Bytes of output a job may write (stdout and output_write together). */
  readonly maxOutput: number;
  /** Log lines kept, and bytes per line (longer lines are cut, deterministically). */
  readonly maxLogLines: number;
  readonly maxLogLine: number;
  readonly maxKeyBytes: number;
  readonly maxValueBytes: number;
  readonly maxStateEntries: number;
  /** Total bytes of keys and values held in the state. */
  readonly maxStateBytes: number;
}

export const DEFAULT_HOST_LIMITS: HostLimits = {
  maxOutput: 16 << 20,
  maxLogLines: 10_000,
  maxLogLine: 4096,
  maxKeyBytes: 256,
  maxValueBytes: 64 << 10,
  maxStateEntries: 100_000,
  maxStateBytes: 64 << 20,
};

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The key-value state as host functions use it; the root is the kv tree's (kvTree.ts). */
export interface KvStore {
  get(key: Uint8Array): Uint8Array | undefined;
  set(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
  root(): Hash;
}

/** The live store: entries by hex key (a total order independent of locale) plus their tree. */
export class MapKv implements KvStore {
  readonly map: Map<string, Uint8Array>;
  readonly tree = new KvTree();
  constructor(initial: ReadonlyMap<string, Uint8Array> = new Map()) {
    this.map = new Map(initial);
    for (const [k, v] of this.map) this.tree.set(kvLeafOf(hexToBytes(k), v));
  }
  get(key: Uint8Array): Uint8Array | undefined {
    return this.map.get(bytesToHex(key));
  }
  set(key: Uint8Array, value: Uint8Array): void {
    const v = value.slice();
    this.map.set(bytesToHex(key), v);
    this.tree.set(kvLeafOf(key, v));
  }
  delete(key: Uint8Array): void {
    if (this.map.delete(bytesToHex(key))) this.tree.delete(sha256Of(key));
  }
  root(): Hash {
    return this.tree.root();
  }
  /** Replaces every entry by `entries` (restoring a kept checkpoint; entries are never mutated in place). */
  reset(entries: ReadonlyMap<string, Uint8Array>): void {
    for (const k of [...this.map.keys()]) this.delete(hexToBytes(k));
    for (const [k, v] of entries) {
      this.map.set(k, v);
      this.tree.set(kvLeafOf(hexToBytes(k), v));
    }
  }
  /** The entry of `key` as its leaf commits it (undefined when absent). */
  leaf(key: Uint8Array): KvLeaf | undefined {
    const v = this.get(key);
    return v ? kvLeafOf(key, v) : undefined;
  }
}

/** Root of a key-value state (hex), as state_root_before/after report it. */
export function kvRoot(kv: ReadonlyMap<string, Uint8Array>): string {
  return bytesToHex(new MapKv(kv).root());
}

/** Everything of the host state a step commitment holds (hashHostCommit), in the clear. */
export interface HostCommit {
  readonly inputLen: number;
  readonly inputHash: Hash;
  readonly inputRoot: Hash;
  readonly inputPos: number;
  /** Running SHA-256 of the output (its length is the output length). */
  readonly output: Midstate;
  readonly logCount: number;
  readonly logAcc: Hash;
  /** stderr bytes not yet ended by a newline (at most maxLogLine). */
  readonly stderr: Uint8Array;
  readonly kvRoot: Hash;
  readonly kvCount: number;
  readonly kvBytes: number;
  readonly randomCounter: number;
  readonly fsOps: number;
  readonly clockNs: bigint;
  /** proc_exit's code, or null. */
  readonly exitCode: number | null;
}

export function hashHostCommit(c: HostCommit): Hash {
  return sha256Of(encodeHostCommit(c));
}
/** The bytes hashHostCommit hashes (a trace compares them to skip rehashing an unchanged host state). */
export function encodeHostCommit(c: HostCommit): Uint8Array {
  const w = new Writer()
    .text("dsdn-wasm-host-v2")
    .u64(BigInt(c.inputLen))
    .bytes(c.inputHash)
    .bytes(c.inputRoot)
    .u64(BigInt(c.inputPos));
  for (const x of c.output.h) w.u32(x);
  w.u8(c.output.tail.length).bytes(c.output.tail).u64(BigInt(c.output.length));
  w.u32(c.logCount).bytes(c.logAcc).u32(c.stderr.length).bytes(c.stderr);
  w.bytes(c.kvRoot).u32(c.kvCount).u64(BigInt(c.kvBytes));
  w.u32(c.randomCounter).u64(BigInt(c.fsOps)).u64(c.clockNs);
  w.u8(c.exitCode === null ? 0 : 1).u32(c.exitCode ?? 0);
  return w.finish();
}

function chain(acc: Uint8Array, data: Uint8Array): Uint8Array {
  return sha256Of(acc, data);
}
function u32be(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}
function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** A saved host state (HostState.save): its commitment plus what the commitment only hashes. */
export interface HostSave {
  readonly commit: HostCommit;
  readonly outChunks: readonly Uint8Array[] | undefined;
  readonly logs: readonly string[];
  readonly kv: ReadonlyMap<string, Uint8Array>;
}

export class HostState {
  readonly input: InputSource;
  /** Read position of WASI stdin. */
  inputPos = 0;
  /** Output bytes (kept by a live run for the report; a verifier keeps only the digest). */
  private readonly outChunks: Uint8Array[] | undefined;
  private out: OutputDigest;
  /** Log lines (kept by a live run; a verifier keeps the count and chain). */
  readonly logs: string[] = [];
  logCount = 0;
  logAcc: Uint8Array = new Uint8Array(32);
  private stderrPending: Uint8Array = new Uint8Array(0);
  readonly kv: KvStore;
  /** Entries and bytes of keys and values currently held. */
  kvCount = 0;
  stateBytes = 0;
  readonly stateRootBefore: string;
  /** Host I/O operations (reads, writes, state accesses). */
  fsOps = 0;
  /** Counter of the deterministic random_get stream. */
  randomCounter = 0;
  exitCode: number | null = null;

  constructor(
    input: Uint8Array | InputSource,
    readonly limits: HostLimits = DEFAULT_HOST_LIMITS,
    initialState: ReadonlyMap<string, Uint8Array> | KvStore = new Map(),
    /** What WASI clock_time_get answers (ns); part of the job, so committed. */
    readonly clockNs: bigint = 0n,
  ) {
    this.input = input instanceof Uint8Array ? new InputBytes(input) : input;
    if (initialState instanceof Map) {
      const kv = new MapKv(initialState);
      this.kv = kv;
      this.kvCount = kv.map.size;
      for (const [k, v] of kv.map) this.stateBytes += k.length / 2 + v.length;
      this.outChunks = [];
    } else this.kv = initialState as KvStore;
    this.out = new OutputDigest();
    this.stateRootBefore = bytesToHex(this.kv.root());
  }

  /** A host state at `c` over witnessed input and kv views (a verifier's, or a prover's scratch copy). */
  static fromCommit(c: HostCommit, input: InputSource, kv: KvStore, limits: HostLimits): HostState {
    if (input.length !== c.inputLen) throw new RangeError("input view of the wrong length");
    const h = new HostState(input, limits, kv, c.clockNs);
    h.inputPos = c.inputPos;
    h.out = new OutputDigest(c.output);
    h.logCount = c.logCount;
    h.logAcc = c.logAcc;
    h.stderrPending = c.stderr.slice();
    h.kvCount = c.kvCount;
    h.stateBytes = c.kvBytes;
    h.randomCounter = c.randomCounter;
    h.fsOps = c.fsOps;
    h.exitCode = c.exitCode;
    return h;
  }

  /**
   * Everything a run changes, to restore later (a checkpoint a fraud-game party keeps, see
   * node-agent/runtime/stepAt.ts). Only a live host state (over a MapKv) can be saved.
   */
  save(): HostSave {
    if (!(this.kv instanceof MapKv)) throw new Error("only a live host state can be saved");
    return {
      commit: this.commit(),
      outChunks: this.outChunks ? [...this.outChunks] : undefined,
      logs: [...this.logs],
      kv: new Map(this.kv.map),
    };
  }
  /** Restores a saved state into this host state (same job: same input, limits and clock). */
  restore(s: HostSave): void {
    const c = s.commit;
    if (!(this.kv instanceof MapKv)) throw new Error("only a live host state can be restored");
    this.inputPos = c.inputPos;
    this.out = new OutputDigest(c.output);
    // element by element: a spread of a long list would overflow the call's argument limit
    if (this.outChunks) {
      this.outChunks.length = 0;
      for (const o of s.outChunks ?? []) this.outChunks.push(o);
    }
    this.logs.length = 0;
    for (const l of s.logs) this.logs.push(l);
    this.logCount = c.logCount;
    this.logAcc = c.logAcc;
    this.stderrPending = c.stderr.slice();
    this.kv.reset(s.kv);
    this.kvCount = c.kvCount;
    this.stateBytes = c.kvBytes;
    this.randomCounter = c.randomCounter;
    this.fsOps = c.fsOps;
    this.exitCode = c.exitCode;
  }

  commit(): HostCommit {
    return {
      inputLen: this.input.length,
      inputHash: this.input.hash,
      inputRoot: this.input.root(),
      inputPos: this.inputPos,
      output: this.out.midstate(),
      logCount: this.logCount,
      logAcc: this.logAcc,
      stderr: this.stderrPending.slice(),
      kvRoot: this.kv.root(),
      kvCount: this.kvCount,
      kvBytes: this.stateBytes,
      randomCounter: this.randomCounter,
      fsOps: this.fsOps,
      clockNs: this.clockNs,
      exitCode: this.exitCode,
    };
  }

  get outputBytes(): number {
    return this.out.length;
  }
  /** Appends output; false when the output limit would be exceeded. */
  writeOutput(bytes: Uint8Array): boolean {
    if (this.out.length + bytes.length > this.limits.maxOutput) return false;
    this.outChunks?.push(bytes.slice());
    this.out.update(bytes);
    return true;
  }
  output(): Uint8Array {
    const out = new Uint8Array(this.out.length);
    let o = 0;
    for (const c of this.outChunks ?? []) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
  /** One log line, cut to maxLogLine bytes; beyond maxLogLines lines are dropped. */
  log(line: Uint8Array): void {
    if (this.logCount >= this.limits.maxLogLines) return;
    const kept = line.length > this.limits.maxLogLine ? line.subarray(0, this.limits.maxLogLine) : line;
    this.logCount++;
    this.logAcc = chain(this.logAcc, kept);
    if (this.outChunks) this.logs.push(dec.decode(kept));
  }
  /** stderr bytes become log lines at each newline (and at the end, see flushStderr). */
  writeStderr(bytes: Uint8Array): void {
    let pending = concat(this.stderrPending, bytes);
    let nl = pending.indexOf(0x0a);
    while (nl >= 0) {
      this.log(pending.subarray(0, nl));
      pending = pending.subarray(nl + 1);
      nl = pending.indexOf(0x0a);
    }
    if (pending.length > this.limits.maxLogLine) {
      this.log(pending);
      pending = new Uint8Array(0);
    }
    this.stderrPending = pending.slice();
  }
  flushStderr(): void {
    if (this.stderrPending.length > 0) this.log(this.stderrPending);
    this.stderrPending = new Uint8Array(0);
  }
  stateGet(key: Uint8Array): Uint8Array | undefined {
    return this.kv.get(key);
  }
  /** Returns an error message when a limit refuses the write. */
  stateSet(key: Uint8Array, value: Uint8Array): string | undefined {
    if (key.length > this.limits.maxKeyBytes) return "state key too long";
    if (value.length > this.limits.maxValueBytes) return "state value too long";
    const old = this.kv.get(key);
    if (!old && this.kvCount >= this.limits.maxStateEntries) return "too many state entries";
    const bytes = this.stateBytes - (old ? key.length + old.length : 0) + key.length + value.length;
    if (bytes > this.limits.maxStateBytes) return "state size limit exceeded";
    this.stateBytes = bytes;
    if (!old) this.kvCount++;
    this.kv.set(key, value);
    return undefined;
  }
  stateDelete(key: Uint8Array): void {
    const old = this.kv.get(key);
    if (old) {
      this.stateBytes -= key.length + old.length;
      this.kvCount--;
      this.kv.delete(key);
    }
  }
  stateRoot(): string {
    return bytesToHex(this.kv.root());
  }
  /** The live entries (a run's report); only a host state built over a MapKv has them. */
  entries(): ReadonlyMap<string, Uint8Array> {
    if (!(this.kv instanceof MapKv)) throw new Error("this host state holds only a view of the key-value state");
    return this.kv.map;
  }
  /** Deterministic "random" bytes: SHA-256(tag ‖ sha256(input) ‖ counter) blocks. */
  randomBytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    const seed = this.input.hash;
    let o = 0;
    while (o < n) {
      const block = new Uint8Array(seed.length + 4 + 16);
      block.set(enc.encode("dsdn-wasi-random"), 0);
      block.set(seed, 16);
      block.set(u32be(this.randomCounter++), 16 + seed.length);
      const h = sha256(block);
      const take = Math.min(h.length, n - o);
      out.set(h.subarray(0, take), o);
      o += take;
    }
    return out;
  }
}
