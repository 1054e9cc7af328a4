/** @module `dsdn-node wasm run`: runs a WebAssembly module on the deterministic interpreter and prints the result (stable JSON contract). */
import { readFileSync, writeFileSync } from "node:fs";
import type { Command, CommandContext, CommandGroup } from "../../common/cli.js";
import { parseTypedValue, type RunOptions, type TypedValue } from "../../common/wasm/run.js";
import { type JobOutcome, runJobInline, runJobInWorker, workerAvailable } from "../runtime/runJob.js";

/** Exit code when the wall-clock limit stopped the run (as timeout(1)); the result is then not deterministic. */
export const EXIT_TIMEOUT = 124;

function positiveInt(ctx: CommandContext, name: string, max: number): number | undefined | string {
  const v = ctx.values[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) {
    return `--${name} must be an integer from 1 to ${max}, got ${String(v)}`;
  }
  return Number(v);
}

export const wasmRunCommand: Command = {
  summary: "Run a WebAssembly module deterministically with fuel and memory limits",
  usage:
    "<module.wasm> --invoke <export> [--arg i32:5 ...] [--input FILE] [--output FILE] [--fuel N] [--memory-pages N] [--trace-every K] [--timeout-ms MS] [--engine interp|v8] [--json]",
  options: {
    invoke: { type: "string" },
    arg: { type: "string", multiple: true },
    input: { type: "string" },
    output: { type: "string" },
    fuel: { type: "string" },
    "memory-pages": { type: "string" },
    "trace-every": { type: "string" },
    "timeout-ms": { type: "string" },
    engine: { type: "string" },
    json: { type: "boolean" },
  },
  async run(ctx) {
    const usage = (msg: string) => {
      ctx.err(`dsdn-node wasm run: ${msg}`);
      return 2;
    };
    const [file, ...extra] = ctx.positionals;
    if (!file) return usage("missing <module.wasm>");
    if (extra.length > 0) return usage(`unexpected argument "${extra[0]}"`);
    const invoke = ctx.values.invoke;
    if (typeof invoke !== "string" || invoke === "") return usage("--invoke <export> is required");
    const engine = ctx.values.engine ?? "interp";
    if (engine === "v8")
      return usage(
        "--engine v8 is not built yet (the fuel-instrumented V8 fast path comes later); use --engine interp",
      );
    if (engine !== "interp") return usage(`--engine must be interp or v8, got ${String(engine)}`);
    const fuel = positiveInt(ctx, "fuel", Number.MAX_SAFE_INTEGER);
    const pages = positiveInt(ctx, "memory-pages", 65536);
    const traceEvery = positiveInt(ctx, "trace-every", 2 ** 31);
    const timeoutMs = positiveInt(ctx, "timeout-ms", 24 * 3600 * 1000);
    for (const v of [fuel, pages, traceEvery, timeoutMs]) if (typeof v === "string") return usage(v);
    const args: TypedValue[] = [];
    for (const a of (ctx.values.arg as string[] | undefined) ?? []) {
      const p = parseTypedValue(a);
      if (typeof p === "string") return usage(p);
      args.push(p);
    }
    let bytes: Uint8Array;
    let input: Uint8Array = new Uint8Array(0);
    try {
      bytes = new Uint8Array(readFileSync(file));
      if (typeof ctx.values.input === "string") input = new Uint8Array(readFileSync(ctx.values.input));
    } catch (e) {
      return usage((e as Error).message);
    }
    const opts: RunOptions = {
      invoke,
      args,
      input,
      ...(typeof traceEvery === "number" ? { traceEvery } : {}),
      limits: {
        ...(typeof fuel === "number" ? { fuel } : {}),
        ...(typeof pages === "number" ? { memoryPages: pages } : {}),
      },
    };
    const outcome: JobOutcome = workerAvailable()
      ? await runJobInWorker(bytes, opts, (timeoutMs as number | undefined) ?? 60_000)
      : runJobInline(bytes, opts);
    const json = ctx.values.json === true;
    if (outcome.kind === "refused") {
      const { kind, message } = outcome.refusal;
      ctx.err(
        kind === "usage" ? `dsdn-node wasm run: ${message}` : `dsdn-node wasm run: ${file}: ${kind} module: ${message}`,
      );
      return outcome.refusal.kind === "usage" ? 2 : 1;
    }
    if (outcome.kind === "crashed") {
      ctx.err(`dsdn-node wasm run: the engine crashed: ${outcome.message}`);
      return 1;
    }
    if (outcome.kind === "timeout") {
      const msg = `wall-clock limit exceeded after ${outcome.elapsedMs} ms (not a deterministic result)`;
      if (json)
        ctx.out(
          JSON.stringify({ results: [], trap: msg, fuelUsed: null, usage: null, traceRoot: null, outputHash: null }),
        );
      else ctx.err(msg);
      return EXIT_TIMEOUT;
    }
    const r = outcome.report;
    for (const line of r.logs) ctx.err(`[wasm] ${line}`);
    if (typeof ctx.values.output === "string") writeFileSync(ctx.values.output, r.output);
    const result = {
      results: r.results,
      trap: r.trap,
      fuelUsed: r.fuelUsed,
      usage: r.usage,
      traceRoot: r.traceRoot,
      outputHash: r.outputHash,
      exitCode: r.exitCode,
      steps: r.steps,
      stateRootBefore: r.stateRootBefore,
      stateRootAfter: r.stateRootAfter,
    };
    if (json) ctx.out(JSON.stringify(result));
    else {
      ctx.out(`results: ${r.results.map((v) => `${v.type}:${v.value}`).join(" ") || "(none)"}`);
      ctx.out(`trap: ${r.trap ?? "none"}${r.exitCode !== null ? ` (exit ${r.exitCode})` : ""}`);
      ctx.out(`fuel used: ${r.fuelUsed} (${r.steps} instructions)`);
      ctx.out(`output: ${r.output.length} bytes, sha256 ${r.outputHash}`);
      if (typeof ctx.values.output !== "string" && r.output.length > 0 && r.output.length <= 4096) {
        ctx.out(new TextDecoder().decode(r.output));
      }
    }
    return 0;
  },
};

export const wasmCommand: CommandGroup = {
  summary: "Deterministic WebAssembly runtime (interpreter with fuel metering)",
  commands: { run: async () => wasmRunCommand },
};
