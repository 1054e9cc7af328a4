/** @module The MicroVM contract (Tahap 8): start, exec, stop — one isolated place where a non-WASM workload runs. */

/** Limits every backend enforces (the mock only the ones a plain subprocess can: time and output). */
export interface MicroVMLimits {
  /** Memory for everything the command starts, in bytes (cgroup memory.limit; exceeding it kills). */
  readonly memoryBytes: number;
  /** Processes and threads at once (cgroup pids.max): a fork bomb stops there. */
  readonly maxProcesses: number;
  /** Wall-clock limit of one exec, enforced from outside by killing every process of the exec. */
  readonly timeoutMs: number;
  /** Bytes kept of stdout and of stderr each; more is cut and reported, never buffered. */
  readonly maxOutputBytes: number;
}

export const defaultMicroVMLimits: MicroVMLimits = {
  memoryBytes: 256 * 1024 * 1024,
  maxProcesses: 64,
  timeoutMs: 30_000,
  maxOutputBytes: 4 * 1024 * 1024,
};

export interface ExecOptions {
  readonly stdin?: Uint8Array;
  /** A directory mounted read-only at /image and used as the working directory (a MicroVM workload's image). */
  readonly imageDir?: string;
  /** Overrides the VM's timeoutMs for this exec (never above it). */
  readonly timeoutMs?: number;
}

/** Why an exec stopped other than by exiting on its own. */
export type ExecLimit = "timeout" | "memory" | "processes" | "output";

export interface ExecResult {
  /** The exit code, or null when a signal ended it. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
  /** Set when a limit stopped or cut the command. */
  readonly limit: ExecLimit | null;
  readonly wallMs: number;
}

export type MicroVMBackend = "mock" | "bwrap" | "qemu";

export interface MicroVM {
  readonly backend: MicroVMBackend;
  readonly limits: MicroVMLimits;
  /** Prepares the VM (checks the backend, creates cgroups); exec before start is refused. */
  start(): Promise<void>;
  /** Runs `argv` inside the VM with no network and a read-only root; `/tmp` is the only writable place. */
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Kills anything still running and releases the VM's resources; idempotent. */
  stop(): Promise<void>;
}
