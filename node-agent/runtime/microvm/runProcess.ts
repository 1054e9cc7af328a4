/** @module Runs one child process with stdin, bounded output capture and a wall-clock limit enforced by a kill. */
import { spawn } from "node:child_process";
import { captureBounded } from "./output.js";
import type { ExecLimit, ExecResult } from "./types.js";

export interface RunProcessOptions {
  readonly argv: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd?: string;
  readonly stdin?: Uint8Array;
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
  /** Kills everything the child started (its cgroup, or its process group). */
  readonly killTree: (pid: number) => void;
  /** After exit: which enforced limit (if any) ended it. */
  readonly limitHit?: () => ExecLimit | null;
}

export function runProcess(o: RunProcessOptions): Promise<ExecResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = o.argv;
    if (!cmd) return reject(new Error("empty argv"));
    const child = spawn(cmd, args, {
      env: o.env,
      cwd: o.cwd,
      stdio: ["pipe", "pipe", "pipe"],
      // Its own process group, so a timeout can kill the whole tree with one signal.
      detached: true,
    });
    const out = captureBounded(child.stdout, o.maxOutputBytes);
    const err = captureBounded(child.stderr, o.maxOutputBytes);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) o.killTree(child.pid);
    }, o.timeoutMs);
    child.stdin.on("error", () => {
      // the command did not read its input: not an error of the exec
    });
    child.stdin.end(o.stdin ? Buffer.from(o.stdin) : undefined);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      // Anything the command left behind (daemonised children) dies with the exec.
      if (child.pid !== undefined) o.killTree(child.pid);
      // A kernel-enforced limit that was hit is the cause even when the wall clock ended the exec (a
      // fork bomb held at pids.max spins until the timeout).
      const limit: ExecLimit | null =
        o.limitHit?.() ?? (timedOut ? "timeout" : out.truncated || err.truncated ? "output" : null);
      resolve({
        exitCode: code,
        signal,
        stdout: out.bytes(),
        stderr: err.bytes(),
        limit,
        wallMs: Math.round(performance.now() - started),
      });
    });
  });
}

/** Kills a process group (the child was started detached, as its leader). */
export function killProcessGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}
