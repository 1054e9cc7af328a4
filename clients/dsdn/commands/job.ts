/** @module `dsdn job status|logs|output <id>`: follow a deployed workload through the coordinator; outputs are read from the nodes and checked against their CID, logs from the nodes with the owner's key. */
import { writeFileSync } from "node:fs";
import { type Command, type CommandGroup, toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { ComputeClient } from "../../agent/computeClient.js";
import { coordinatorUrl } from "../config.js";
import { logs } from "./logs.js";
import { auditCollector, keyOptions, uploaderKeyFrom } from "./shared.js";

const idOf = (positionals: string[]) => {
  const id = positionals[0];
  if (!id || positionals.length > 1) throw new InvalidArgumentError("give exactly one job id");
  return id;
};

const status: Command = {
  summary: "A job's state (pending|running|completed|failed), nodes and execution commitment",
  usage: "<job-id> [--coordinator URL] [--json] [--verbose]",
  options: { coordinator: { type: "string" }, json: { type: "boolean", default: false } },
  async run({ positionals, values, out, verbose }) {
    const audit = auditCollector(verbose);
    const s = await new ComputeClient(coordinatorUrl(values), { ...(audit.sink ? { audit: audit.sink } : {}) }).status(
      idOf(positionals),
    );
    if (values.json) {
      out(toJson(audit.audit ? { ...s, audit: audit.audit } : s));
      return 0;
    }
    out(`job ${s.jobId}: ${s.state}${s.reason ? ` (${s.reason})` : ""}`);
    out(`  nodes ${s.nodes.join(", ")}; DA height ${s.daHeight}${s.disagreement ? "; replicas DISAGREED" : ""}`);
    if (s.outputCid) out(`  output ${s.outputCid}`);
    if (s.executionCommitment)
      for (const [k, v] of Object.entries(s.executionCommitment)) out(`  ${k.padEnd(26)} ${v}`);
    audit.print(out);
    return 0;
  },
};

const output: Command = {
  summary: "A completed job's output bytes (to stdout, or -o FILE)",
  usage: "<job-id> [-o FILE] [--coordinator URL] [--key-file F | --mnemonic-file F]",
  options: { coordinator: { type: "string" }, output: { type: "string", short: "o" }, ...keyOptions },
  async run({ positionals, values, err, verbose }) {
    const audit = auditCollector(verbose);
    const c = new ComputeClient(coordinatorUrl(values), { ...(audit.sink ? { audit: audit.sink } : {}) });
    // A private job's output is served to its submitter only: the key signs that request (loaded only if asked).
    const bytes = await c.output(await c.status(idOf(positionals)), () => uploaderKeyFrom(values));
    if (typeof values.output === "string") writeFileSync(values.output, bytes);
    else process.stdout.write(bytes);
    // stdout carries the bytes: the audit goes to stderr.
    audit.print(err);
    return 0;
  },
};

export const job: CommandGroup = {
  summary: "Follow deployed workloads: status, logs, output",
  commands: { status: async () => status, logs: async () => logs, output: async () => output },
};
