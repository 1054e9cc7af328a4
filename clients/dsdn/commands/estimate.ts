/** @module `dsdn estimate`: dry-run a workload on the fast path, classify it and show the resolved spec with every value's source and a price estimate. */
import { type Command, toJson } from "../../../common/cli.js";
import { formatUsd } from "../../../modules/oracle/price.js";
import { estimateWorkload } from "../../agent/estimate.js";
import { chainEstimate, nusaEstimate, nusaLine, type UsdEstimate } from "../oraclePrice.js";

export const estimate: Command = {
  summary:
    "Dry-run a workload (V8 fast path, fuel-capped): resource class, resolved spec with sources, price in USD (in NUSA too at the oracle price of --rpc / RPC_URL)",
  usage:
    "[DIR | module.wasm] [--input FILE] [--type batch|web_app|ai] [--replicas N] [--fuel-cap N] [--rpc URL] [--json]",
  options: {
    input: { type: "string" },
    type: { type: "string" },
    replicas: { type: "string" },
    "fuel-cap": { type: "string" },
    rpc: { type: "string" },
    json: { type: "boolean", default: false },
  },
  async run({ positionals, values, out }) {
    const cap = typeof values["fuel-cap"] === "string" ? Number(values["fuel-cap"]) : undefined;
    const e = await estimateWorkload({
      target: positionals[0] ?? ".",
      ...(typeof values.input === "string" ? { input: values.input } : {}),
      ...(typeof values.type === "string" ? { type: values.type } : {}),
      ...(typeof values.replicas === "string" ? { replicas: values.replicas } : {}),
      ...(cap !== undefined ? { fuelCap: cap } : {}),
    });
    const { workload: w, classification: cls, spec, total: totalUsdNano } = e;
    const total = totalUsdNano.toString();
    // Receipts are priced in USD (v2); the NUSA figure is advisory: without an RPC, or when the chain does not
    // answer, the USD estimate still stands.
    const rpc = typeof values.rpc === "string" && values.rpc !== "" ? values.rpc : process.env.RPC_URL;
    const nusa: UsdEstimate = rpc
      ? await chainEstimate(rpc, totalUsdNano, nusaEstimate)
      : { unavailable: "no chain to ask: give --rpc URL or set RPC_URL" };
    if (values.json) {
      out(
        toJson({
          classification: cls,
          spec,
          price: { perReplica: cls.priceNanoUsdPerReplica, total, unit: "nano-USD", nusa },
        }),
      );
      return 0;
    }
    out(`${w.modulePath}: class ${cls.class}${cls.capped ? " (fuel cap reached: lower bound)" : ""}`);
    out(
      `  fuel ${cls.fuelUsed}, peak memory ${cls.memoryBytes} bytes, output ${cls.outputBytes} bytes (engine ${cls.engine})`,
    );
    out(
      `  price ≈ ${formatUsd(totalUsdNano)} USD (${formatUsd(BigInt(cls.priceNanoUsdPerReplica))} × ${spec.replicas.value} replica(s)) ${nusaLine(nusa)}`,
    );
    out("resolved spec:");
    for (const [k, v] of Object.entries(spec))
      out(`  ${k.padEnd(22)} ${JSON.stringify(v.value).padEnd(24)} ← ${v.source}`);
    return 0;
  },
};
