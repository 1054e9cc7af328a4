/** @module `dsdn-node vm exec`: runs one command in a MicroVM backend (mock | bwrap | auto) with its limits; prints JSON. */

import type { Command, CommandGroup } from "../../common/cli.js";
import { InvalidArgumentError } from "../../common/errors.js";
import { createMicroVM, type MicroVMChoice } from "../runtime/microvm/index.js";

const positive = (v: unknown, name: string): number | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !/^[1-9][0-9]{0,15}$/.test(v))
    throw new InvalidArgumentError(`--${name} must be a positive integer`);
  return Number(v);
};

const exec: Command = {
  summary: "run a command in a MicroVM (no network, read-only root, memory/process/time limits)",
  usage: "[--backend mock|bwrap|auto] [--memory-mb N] [--max-processes N] [--timeout-ms N] -- <command> [args...]",
  options: {
    backend: { type: "string" },
    "memory-mb": { type: "string" },
    "max-processes": { type: "string" },
    "timeout-ms": { type: "string" },
  },
  async run({ positionals, values, out }) {
    if (positionals.length === 0)
      throw new InvalidArgumentError("usage: dsdn-node vm exec [options] -- <command> [args...]");
    const mb = positive(values["memory-mb"], "memory-mb");
    const procs = positive(values["max-processes"], "max-processes");
    const timeout = positive(values["timeout-ms"], "timeout-ms");
    const vm = createMicroVM(String(values.backend ?? "auto") as MicroVMChoice, {
      ...(mb ? { memoryBytes: mb * 1024 * 1024 } : {}),
      ...(procs ? { maxProcesses: procs } : {}),
      ...(timeout ? { timeoutMs: timeout } : {}),
    });
    await vm.start();
    try {
      const stdin = process.stdin.isTTY ? undefined : await readStdin();
      const r = await vm.exec(positionals, stdin ? { stdin } : {});
      out(
        JSON.stringify({
          backend: vm.backend,
          exitCode: r.exitCode,
          signal: r.signal,
          limit: r.limit,
          wallMs: r.wallMs,
          stdout: Buffer.from(r.stdout).toString("utf8"),
          stderr: Buffer.from(r.stderr).toString("utf8"),
        }),
      );
      return 0;
    } finally {
      await vm.stop();
    }
  },
};

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

export const vmCommand: CommandGroup = {
  summary: "MicroVM sandboxes for non-WASM workloads",
  commands: { exec: async () => exec },
};
