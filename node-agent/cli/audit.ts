/** @module `dsdn-node audit verify`: checks the WORM audit log's hash chain and that 100% of its records match DA. */
import { existsSync, readFileSync } from "node:fs";
import { type Command, type CommandGroup, toJson } from "../../common/cli.js";
import { InvalidArgumentError } from "../../common/errors.js";
import { fromHex } from "../../common/hash.js";
import { verifyAgainstDA, verifyChain } from "../audit/verify.js";
import { createDALayer, daCliOptions, daOptionsFromCli } from "../da/replay/createDALayer.js";

const verifyCommand: Command = {
  summary: "Verify an audit log: hash chain, and (with --da) that every record is on DA and nothing more is",
  usage: "--log FILE [--da URL --writer HEX [--token-file FILE] [--namespace HEX] [--from H]] [--json]",
  options: {
    ...daCliOptions,
    log: { type: "string" },
    writer: { type: "string" },
    from: { type: "string" },
    json: { type: "boolean" },
  },
  async run(ctx) {
    const v = ctx.values;
    const path = typeof v.log === "string" ? v.log : "";
    if (!path) throw new InvalidArgumentError("--log FILE is required");
    if (!existsSync(path)) throw new InvalidArgumentError(`audit log ${path} does not exist`);
    const chain = verifyChain(readFileSync(path, "utf8"));
    const report: Record<string, unknown> = { log: path, records: chain.records.length, chainOk: chain.ok };
    let ok = chain.ok;
    let firstMismatch = chain.firstMismatch;
    if (chain.ok && typeof v.da === "string") {
      const writerHex = typeof v.writer === "string" ? v.writer.toLowerCase() : "";
      if (!/^[0-9a-f]{64}$/.test(writerHex))
        throw new InvalidArgumentError("--writer must be the log writer's ed25519 public key (64 hex characters)");
      let from: bigint | undefined;
      if (typeof v.from === "string") {
        if (!/^\d+$/.test(v.from)) throw new InvalidArgumentError(`--from must be a height, got ${v.from}`);
        from = BigInt(v.from);
      } else if (existsSync(`${path}.mirror.json`)) {
        const st = JSON.parse(readFileSync(`${path}.mirror.json`, "utf8")) as { firstHeight?: string };
        if (st.firstHeight && /^\d+$/.test(st.firstHeight)) from = BigInt(st.firstHeight);
      }
      const da = await createDALayer(daOptionsFromCli(v));
      try {
        const res = await verifyAgainstDA(chain.records, da, fromHex(writerHex), from ? { fromHeight: from } : {});
        Object.assign(report, { daOk: res.ok, matched: res.matched, onDA: res.onDA });
        report.matchedPercent = res.local === 0 ? 100 : Math.floor((res.matched * 100) / res.local);
        ok = res.ok;
        firstMismatch = res.firstMismatch;
      } finally {
        await da.close();
      }
    }
    report.ok = ok;
    if (firstMismatch) report.firstMismatch = firstMismatch;
    if (v.json === true) ctx.out(toJson(report, 2));
    else if (ok)
      ctx.out(
        `audit log OK: ${chain.records.length} record(s), hash chain intact${report.daOk ? `, ${report.matchedPercent}% on DA` : ""}`,
      );
    else ctx.out(`audit log FAILED: ${firstMismatch}`);
    return ok ? 0 : 1;
  },
};

export const auditCommand: CommandGroup = {
  summary: "The WORM audit log (hash-chained, mirrored to DA)",
  commands: { verify: async () => verifyCommand },
};
