/** @module `dsdn estimate`: dry-run a workload on the fast path, classify it and show the resolved spec with every value's source and a price estimate. */
import { type Command, toJson } from "../../../common/cli.js";
import { classify } from "../../../node-agent/compute/classify.js";
import { resolveIntent } from "../../../node-agent/compute/resolve.js";
import { loadWorkload } from "../../agent/workloadFiles.js";

export const estimate: Command = {
  summary: "Dry-run a workload (V8 fast path, fuel-capped): resource class, resolved spec with sources, price",
  usage: "[DIR | module.wasm] [--input FILE] [--type batch|web_app|ai] [--replicas N] [--fuel-cap N] [--json]",
  options: {
    input: { type: "string" },
    type: { type: "string" },
    replicas: { type: "string" },
    "fuel-cap": { type: "string" },
    json: { type: "boolean", default: false },
  },
  async run({ positionals, values, out }) {
    const w = loadWorkload(positionals[0] ?? ".", {
      ...(typeof values.input === "string" ? { input: values.input } : {}),
      ...(typeof values.type === "string" ? { type: values.type } : {}),
      ...(typeof values.replicas === "string" ? { replicas: values.replicas } : {}),
    });
    const cap = typeof values["fuel-cap"] === "string" ? Number(values["fuel-cap"]) : undefined;
    const cls = await classify(
      w.module,
      w.input,
      cap !== undefined && Number.isSafeInteger(cap) && cap > 0 ? { fuelCap: cap } : {},
    );
    const spec = resolveIntent(w.intent, cls);
    const total = (BigInt(cls.pricePerReplica) * BigInt(spec.replicas.value)).toString();
    if (values.json) {
      out(toJson({ classification: cls, spec, price: { perReplica: cls.pricePerReplica, total, denom: "unusa" } }));
      return 0;
    }
    out(`${w.modulePath}: class ${cls.class}${cls.capped ? " (fuel cap reached: lower bound)" : ""}`);
    out(
      `  fuel ${cls.fuelUsed}, peak memory ${cls.memoryBytes} bytes, output ${cls.outputBytes} bytes (engine ${cls.engine})`,
    );
    out(`  price ≈ ${total} unusa (${cls.pricePerReplica} × ${spec.replicas.value} replica(s))`);
    out("resolved spec:");
    for (const [k, v] of Object.entries(spec))
      out(`  ${k.padEnd(22)} ${JSON.stringify(v.value).padEnd(24)} ← ${v.source}`);
    return 0;
  },
};
