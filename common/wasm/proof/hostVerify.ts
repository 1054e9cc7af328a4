/**
 * @module The verifier's side of a host call: checks the HostWitness against the pre-state (name
 * against the callee's leaf, commit and segments against restHash), builds input and key-value views
 * that answer only what is proven, and runs the same host implementation over them; the post-state
 * restHash comes from the resulting HostState. Pure; everything bounded by the witness sizes.
 */
import { type HostFn, MAX_HOST_IO } from "../host.js";
import { hostFunctionByName } from "../hostFunctions.js";
import { INPUT_CHUNK, INPUT_DEPTH, type InputSource, inputChunkLen, inputChunksOf } from "../hostInput.js";
import { type HostCommit, type HostLimits, HostState, hashHostCommit, type KvStore } from "../hostState.js";
import { type KvLeaf, KvProofError, kvLeafHash, kvLeafOf, kvPathUpdate, verifyKvPath } from "../kvTree.js";
import { equal, type Hash, hashLeaf, sha256Of } from "../trace/hashing.js";
import type { HostWitness } from "./proof.js";
import { PartialTree, StepProofError } from "./sparseTree.js";
import { type FuncMeta, hostNameHash, restHashOf } from "./stepState.js";

/** A host call copies at most MAX_HOST_IO input bytes: that many chunks, plus one at each edge. */
const MAX_INPUT_WITNESSES = MAX_HOST_IO / INPUT_CHUNK + 2;

class WitnessInput implements InputSource {
  private readonly chunks = new Map<number, Uint8Array>();
  constructor(
    private readonly c: HostCommit,
    ws: HostWitness["input"],
  ) {
    for (const w of ws)
      if (w.bytes.length !== inputChunkLen(c.inputLen, w.index))
        throw new StepProofError("input chunk of the wrong size");
    new PartialTree(
      c.inputRoot,
      INPUT_DEPTH,
      ws.map((w) => ({ index: w.index, leaf: hashLeaf(w.bytes), path: w.path })),
      "input",
    );
    for (const w of ws) this.chunks.set(w.index, w.bytes);
  }
  get length(): number {
    return this.c.inputLen;
  }
  get hash(): Hash {
    return this.c.inputHash;
  }
  root(): Hash {
    return this.c.inputRoot;
  }
  read(off: number, n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (const i of inputChunksOf(off, n)) {
      const b = this.chunks.get(i);
      if (!b) throw new StepProofError(`input: chunk ${i} is not in the proof`);
      const base = i * INPUT_CHUNK;
      const from = Math.max(off, base);
      const to = Math.min(off + n, base + b.length);
      out.set(b.subarray(from - base, to - base), from - off);
    }
    return out;
  }
}

class WitnessKv implements KvStore {
  private current: Hash;
  private found: KvLeaf | null | undefined;
  private changed = false;
  constructor(
    private readonly preRoot: Hash,
    private readonly w: HostWitness["kv"],
    limits: HostLimits,
  ) {
    this.current = preRoot;
    if (w && (w.key.length > limits.maxKeyBytes || (w.value?.length ?? 0) > limits.maxValueBytes))
      throw new StepProofError("key-value witness over the limits");
  }
  private entry(key: Uint8Array): KvLeaf | null {
    const w = this.w;
    if (!w || !equal(w.key, key)) throw new StepProofError("key-value: the entry is not in the proof");
    if (this.found === undefined) {
      try {
        this.found = verifyKvPath(this.preRoot, sha256Of(key), w.path);
      } catch (e) {
        if (e instanceof KvProofError) throw new StepProofError(`key-value: ${e.message}`);
        throw e;
      }
      if (this.found) {
        if (!w.value || !equal(kvLeafHash(kvLeafOf(key, w.value)), kvLeafHash(this.found)))
          throw new StepProofError("key-value: the value does not match its entry");
      }
    }
    return this.found;
  }
  private update(key: Uint8Array, leaf: KvLeaf | null): void {
    if (this.changed) throw new StepProofError("key-value: one host call changes one entry");
    this.entry(key);
    try {
      this.current = kvPathUpdate(sha256Of(key), (this.w as NonNullable<HostWitness["kv"]>).path, leaf);
    } catch (e) {
      if (e instanceof KvProofError) throw new StepProofError(`key-value: ${e.message}`);
      throw e;
    }
    this.changed = true;
  }
  get(key: Uint8Array): Uint8Array | undefined {
    if (this.changed) throw new StepProofError("key-value: read after write");
    const v = this.w?.value;
    return this.entry(key) && v ? v.slice() : undefined;
  }
  set(key: Uint8Array, value: Uint8Array): void {
    this.update(key, kvLeafOf(key, value));
  }
  delete(key: Uint8Array): void {
    if (this.entry(key)) this.update(key, null);
  }
  root(): Hash {
    return this.current;
  }
}

/** Refuses commits whose shape no honest state has (so hashing them cannot be ambiguous). */
function checkShape(c: HostCommit, limits: HostLimits): void {
  const ok =
    c.output.h.length === 8 &&
    c.output.h.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff) &&
    c.output.tail.length < 64 &&
    Number.isSafeInteger(c.output.length) &&
    (c.output.length - c.output.tail.length) % 64 === 0 &&
    c.output.length >= c.output.tail.length &&
    c.stderr.length <= limits.maxLogLine &&
    [c.inputLen, c.inputPos, c.logCount, c.kvCount, c.kvBytes, c.randomCounter, c.fsOps].every(
      (x) => Number.isSafeInteger(x) && x >= 0,
    ) &&
    c.inputPos <= c.inputLen &&
    [c.inputHash, c.inputRoot, c.logAcc, c.kvRoot].every((h) => h.length === 32);
  if (!ok) throw new StepProofError("malformed host commit");
}

/** The host function of a proven host call, over witnessed views, and how to hash the state after it. */
export function witnessedHostCall(
  w: HostWitness | undefined,
  meta: FuncMeta,
  restHash: Hash,
  limits: HostLimits,
): { fn: HostFn; restHash: () => Hash } {
  if (!w) throw new StepProofError("a host call needs the host witness");
  if (w.name.length > 256 || !equal(hostNameHash(w.name), meta.codeRoot))
    throw new StepProofError("the host witness names another function");
  checkShape(w.commit, limits);
  if (w.input.length > MAX_INPUT_WITNESSES) throw new StepProofError("too many input chunks for one host call");
  if (!equal(restHashOf(w.segments, hashHostCommit(w.commit)), restHash))
    throw new StepProofError("the host commit does not match the pre-state");
  const host = HostState.fromCommit(
    w.commit,
    new WitnessInput(w.commit, w.input),
    new WitnessKv(w.commit.kvRoot, w.kv, limits),
    limits,
  );
  const fn = hostFunctionByName(w.name, host);
  if (!fn) throw new StepProofError(`no host function named ${w.name}`);
  return { fn, restHash: () => restHashOf(w.segments, hashHostCommit(host.commit())) };
}
