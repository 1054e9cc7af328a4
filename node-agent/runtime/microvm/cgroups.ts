/**
 * @module Per-exec cgroups for memory and process limits (v2 where its controllers are delegated, else
 * v1's memory and pids hierarchies): the kernel enforces them on every process the command starts,
 * which rlimits cannot do for a process tree (and RLIMIT_NPROC does not bind root at all).
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Cgroups {
  /** `cgroup.procs` files a process writes its pid to, to join every group. */
  readonly procsFiles: readonly string[];
  /** SIGKILLs every process in the groups, repeating until they are empty (bounded passes). */
  killAll(): void;
  memoryLimitHit(): boolean;
  processLimitHit(): boolean;
  /** Peak memory of the group in bytes, where the kernel reports it. */
  peakMemoryBytes(): number | undefined;
  remove(): void;
}

const V2_ROOT = "/sys/fs/cgroup";
const V1_MEMORY = "/sys/fs/cgroup/memory";
const V1_PIDS = "/sys/fs/cgroup/pids";

const read = (f: string): string => {
  try {
    return readFileSync(f, "utf8");
  } catch {
    return "";
  }
};
/** `key value` lines (memory.events, pids.events, memory.oom_control) → the value of `key`. */
const field = (text: string, key: string): number => {
  const m = new RegExp(`^${key} (\\d+)$`, "m").exec(text);
  return m ? Number(m[1]) : 0;
};

function pidsIn(procs: string): number[] {
  return read(procs)
    .split("\n")
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
}

function killGroup(procsFiles: readonly string[]): void {
  for (let pass = 0; pass < 100; pass++) {
    const pids = procsFiles.flatMap(pidsIn);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}

function removeDir(d: string): void {
  for (let i = 0; i < 50; i++) {
    try {
      rmdirSync(d);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
      // EBUSY while the last processes exit: try again shortly.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

function v2Usable(): boolean {
  const c = read(join(V2_ROOT, "cgroup.controllers"));
  const sub = read(join(V2_ROOT, "cgroup.subtree_control"));
  return /\bmemory\b/.test(c) && /\bpids\b/.test(c) && /\bmemory\b/.test(sub) && /\bpids\b/.test(sub);
}

/** Creates the cgroups for one exec, or returns why this machine cannot (no writable hierarchy). */
export function createCgroups(name: string, memoryBytes: number, maxProcesses: number): Cgroups | string {
  try {
    if (v2Usable()) {
      const d = join(V2_ROOT, name);
      mkdirSync(d);
      writeFileSync(join(d, "memory.max"), String(memoryBytes));
      try {
        writeFileSync(join(d, "memory.swap.max"), "0");
      } catch {
        // no swap accounting: nothing to limit
      }
      writeFileSync(join(d, "pids.max"), String(maxProcesses));
      const procs = [join(d, "cgroup.procs")];
      return {
        procsFiles: procs,
        killAll: () => killGroup(procs),
        memoryLimitHit: () => field(read(join(d, "memory.events")), "oom_kill") > 0,
        processLimitHit: () => field(read(join(d, "pids.events")), "max") > 0,
        peakMemoryBytes: () => Number(read(join(d, "memory.peak")).trim()) || undefined,
        remove: () => removeDir(d),
      };
    }
    if (existsSync(join(V1_MEMORY, "cgroup.procs")) && existsSync(join(V1_PIDS, "cgroup.procs"))) {
      const m = join(V1_MEMORY, name);
      const p = join(V1_PIDS, name);
      mkdirSync(m);
      mkdirSync(p);
      writeFileSync(join(m, "memory.limit_in_bytes"), String(memoryBytes));
      try {
        writeFileSync(join(m, "memory.memsw.limit_in_bytes"), String(memoryBytes));
      } catch {
        // no swap accounting: nothing to limit
      }
      writeFileSync(join(p, "pids.max"), String(maxProcesses));
      const procs = [join(m, "cgroup.procs"), join(p, "cgroup.procs")];
      return {
        procsFiles: procs,
        killAll: () => killGroup(procs),
        memoryLimitHit: () => {
          // Kernels since 4.13 count OOM kills; older ones only count hits of the limit.
          const oc = read(join(m, "memory.oom_control"));
          return /^oom_kill /m.test(oc) ? field(oc, "oom_kill") > 0 : Number(read(join(m, "memory.failcnt"))) > 0;
        },
        processLimitHit: () => field(read(join(p, "pids.events")), "max") > 0,
        peakMemoryBytes: () => Number(read(join(m, "memory.max_usage_in_bytes")).trim()) || undefined,
        remove: () => {
          removeDir(m);
          removeDir(p);
        },
      };
    }
    return "no writable cgroup hierarchy with memory and pids controllers (need root, or a delegated cgroup v2 subtree)";
  } catch (e) {
    return `cannot create cgroups: ${(e as Error).message}`;
  }
}
