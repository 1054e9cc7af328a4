/** @module Long-running test processes: start one and wait for the URL it prints. */
import { type ChildProcess, spawn } from "node:child_process";

/**
 * Starts `node args…` in `cwd`, adds it to `children` (the caller stops them), and resolves with the URL captured by
 * `marker`'s first group; rejects with the process's output if it exits first.
 */
export function startUrlProcess(
  args: string[],
  marker: RegExp,
  o: { cwd: string; log: string[]; children: ChildProcess[] },
): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn("node", args, { cwd: o.cwd, stdio: ["ignore", "pipe", "pipe"] });
  o.children.push(proc);
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      o.log.push(d.toString());
      const m = marker.exec(out);
      if (m) resolve({ proc, url: m[1]! });
    });
    proc.stderr!.on("data", (d: Buffer) => o.log.push(d.toString()));
    proc.once("exit", (c) => reject(new Error(`${args[0]} exited ${c}: ${o.log.join("")}`)));
  });
}
