/**
 * @module The prover's side of a host call: runs the linked implementation (by name) over a scratch
 * HostState whose input and key-value views read the live state and record what they touch (writes
 * stay in the scratch copy), then emits the HostWitness: pre-state commit, input chunks, the one kv
 * entry with its path.
 */
import type { HostFn } from "../host.js";
import { hostFunctionByName } from "../hostFunctions.js";
import { InputBytes, type InputSource, inputChunksOf } from "../hostInput.js";
import { HostState, type KvStore, MapKv } from "../hostState.js";
import type { Instance } from "../runtime.js";
import { equal, type Hash, sha256Of } from "../trace/hashing.js";
import type { HostWitness } from "./proof.js";
import { UnsupportedStepError } from "./sparseTree.js";
import { segmentsHash } from "./stepState.js";

class RecordingInput implements InputSource {
  readonly touched = new Set<number>();
  constructor(private readonly live: InputBytes) {}
  get length(): number {
    return this.live.length;
  }
  get hash(): Hash {
    return this.live.hash;
  }
  root(): Hash {
    return this.live.root();
  }
  read(off: number, n: number): Uint8Array {
    for (const i of inputChunksOf(off, n)) this.touched.add(i);
    return this.live.read(off, n);
  }
}

class RecordingKv implements KvStore {
  key: Uint8Array | undefined;
  /** The scratch value after a set (bytes) or delete (null); undefined = unchanged. */
  private overlay: Uint8Array | null | undefined;
  constructor(private readonly live: MapKv) {}
  private record(key: Uint8Array): void {
    if (this.key && !equal(this.key, key)) throw new Error("a host call touched two state entries");
    this.key ??= key.slice();
  }
  get(key: Uint8Array): Uint8Array | undefined {
    this.record(key);
    if (this.overlay !== undefined) return this.overlay ?? undefined;
    return this.live.get(key);
  }
  set(key: Uint8Array, value: Uint8Array): void {
    this.record(key);
    this.overlay = value.slice();
  }
  delete(key: Uint8Array): void {
    this.record(key);
    this.overlay = null;
  }
  root(): Hash {
    return this.live.root();
  }
}

/** A host call the prover is about to run: `fn` over the scratch state, and `witness()` after it ran. */
export function prepareHostCall(
  host: HostState | undefined,
  inst: Instance,
  name: string,
): { fn: HostFn; witness: () => HostWitness } {
  if (!host) throw new UnsupportedStepError("host call, but the prover has no host state");
  if (!(host.input instanceof InputBytes) || !(host.kv instanceof MapKv))
    throw new Error("the prover needs the live host state");
  const liveInput = host.input;
  const liveKv = host.kv;
  const commit = host.commit();
  const input = new RecordingInput(liveInput);
  const kv = new RecordingKv(liveKv);
  const scratch = HostState.fromCommit(commit, input, kv, host.limits);
  const fn = hostFunctionByName(name, scratch);
  if (!fn) throw new UnsupportedStepError(`no host function named ${name}`);
  return {
    fn,
    witness: (): HostWitness => {
      const key = kv.key;
      const value = key ? liveKv.get(key) : undefined;
      return {
        name,
        segments: segmentsHash(inst),
        commit,
        input: [...input.touched]
          .sort((a, b) => a - b)
          .map((index) => ({ index, bytes: liveInput.chunk(index), path: liveInput.path(index) })),
        ...(key
          ? { kv: { key, path: liveKv.tree.path(sha256Of(key)), ...(value ? { value: value.slice() } : {}) } }
          : {}),
      };
    },
  };
}
