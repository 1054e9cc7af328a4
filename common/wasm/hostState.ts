/**
 * @module The deterministic host state a job sees: its input, the output it writes, log lines, a
 * key-value state with a root (state_root_before/after), and the I/O counters of the usage meter.
 * Pure: no clock, no randomness, no I/O.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

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

function hexKey(k: Uint8Array): string {
  return bytesToHex(k);
}

/** SHA-256 over the sorted entries, each as u32be(len key) key u32be(len value) value, after a tag. */
export function kvRoot(kv: ReadonlyMap<string, Uint8Array>): string {
  const keys = [...kv.keys()].sort();
  const parts: Uint8Array[] = [enc.encode("dsdn-wasm-kv-v1")];
  for (const k of keys) {
    const key = hexToBytes(k);
    const v = kv.get(k) as Uint8Array;
    parts.push(u32be(key.length), key, u32be(v.length), v);
  }
  let n = 0;
  for (const p of parts) n += p.length;
  const all = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return bytesToHex(sha256(all));
}

function chain(acc: Uint8Array, data: Uint8Array): Uint8Array {
  const b = new Uint8Array(32 + data.length);
  b.set(acc);
  b.set(data, 32);
  return sha256(b);
}

function u32be(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}
function hexToBytes(h: string): Uint8Array {
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export class HostState {
  readonly input: Uint8Array;
  /** Read position of WASI stdin. */
  inputPos = 0;
  private readonly outChunks: Uint8Array[] = [];
  outputBytes = 0;
  readonly logs: string[] = [];
  private stderrPending = "";
  /** Keys are hex of the key bytes (a total order independent of locale). */
  readonly kv: Map<string, Uint8Array>;
  readonly stateRootBefore: string;
  /** Host I/O operations (reads, writes, state accesses). */
  fsOps = 0;
  /** Counter of the deterministic random_get stream. */
  randomCounter = 0;
  /** Hash chains over output writes and log lines (the trace commits to them at checkpoints). */
  outputAcc: Uint8Array = new Uint8Array(32);
  logAcc: Uint8Array = new Uint8Array(32);
  private rootCache: string | undefined;
  /** Bytes of keys and values currently held. */
  stateBytes = 0;
  private randomSeed: Uint8Array | undefined;

  constructor(
    input: Uint8Array,
    readonly limits: HostLimits = DEFAULT_HOST_LIMITS,
    initialState: ReadonlyMap<string, Uint8Array> = new Map(),
  ) {
    this.input = input;
    this.kv = new Map(initialState);
    for (const [k, v] of this.kv) this.stateBytes += k.length / 2 + v.length;
    this.stateRootBefore = kvRoot(this.kv);
  }

  /** Appends output; false when the output limit would be exceeded. */
  writeOutput(bytes: Uint8Array): boolean {
    if (this.outputBytes + bytes.length > this.limits.maxOutput) return false;
    this.outChunks.push(bytes.slice());
    this.outputBytes += bytes.length;
    this.outputAcc = chain(this.outputAcc, bytes);
    return true;
  }
  output(): Uint8Array {
    const out = new Uint8Array(this.outputBytes);
    let o = 0;
    for (const c of this.outChunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
  log(line: string): void {
    if (this.logs.length >= this.limits.maxLogLines) return;
    const kept = line.length > this.limits.maxLogLine ? line.slice(0, this.limits.maxLogLine) : line;
    this.logs.push(kept);
    this.logAcc = chain(this.logAcc, enc.encode(kept));
  }
  /** stderr bytes become log lines at each newline (and at the end, see flushStderr). */
  writeStderr(bytes: Uint8Array): void {
    this.stderrPending += dec.decode(bytes, { stream: true });
    let nl = this.stderrPending.indexOf("\n");
    while (nl >= 0) {
      this.log(this.stderrPending.slice(0, nl));
      this.stderrPending = this.stderrPending.slice(nl + 1);
      nl = this.stderrPending.indexOf("\n");
    }
    if (this.stderrPending.length > this.limits.maxLogLine) {
      this.log(this.stderrPending);
      this.stderrPending = "";
    }
  }
  flushStderr(): void {
    if (this.stderrPending.length > 0) this.log(this.stderrPending);
    this.stderrPending = "";
  }
  stateGet(key: Uint8Array): Uint8Array | undefined {
    return this.kv.get(hexKey(key));
  }
  /** Returns an error message when a limit refuses the write. */
  stateSet(key: Uint8Array, value: Uint8Array): string | undefined {
    if (key.length > this.limits.maxKeyBytes) return "state key too long";
    if (value.length > this.limits.maxValueBytes) return "state value too long";
    const k = hexKey(key);
    const old = this.kv.get(k);
    if (!old && this.kv.size >= this.limits.maxStateEntries) return "too many state entries";
    const bytes = this.stateBytes - (old ? key.length + old.length : 0) + key.length + value.length;
    if (bytes > this.limits.maxStateBytes) return "state size limit exceeded";
    this.stateBytes = bytes;
    this.kv.set(k, value.slice());
    this.rootCache = undefined;
    return undefined;
  }
  stateDelete(key: Uint8Array): void {
    const k = hexKey(key);
    const old = this.kv.get(k);
    if (old) {
      this.stateBytes -= key.length + old.length;
      this.kv.delete(k);
      this.rootCache = undefined;
    }
  }
  stateRoot(): string {
    this.rootCache ??= kvRoot(this.kv);
    return this.rootCache;
  }
  /** Deterministic "random" bytes: SHA-256(tag ‖ sha256(input) ‖ counter) blocks. */
  randomBytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    this.randomSeed ??= sha256(this.input);
    const seed = this.randomSeed;
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
