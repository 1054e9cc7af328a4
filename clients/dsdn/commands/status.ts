/** @module `dsdn status <cid>`: where an object's chunks live and whether each replica is healthy (from DA, via the coordinator). */
import { type Command, toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { CoordinatorClient } from "../../../node-agent/coordinator/client.js";
import { coordinatorUrl } from "../config.js";
import { auditCollector } from "./shared.js";

export const status: Command = {
  summary: "Show an object's chunks and their replicas (node, zone, healthy) as recorded on DA",
  usage: "<cid> [--coordinator URL] [--json] [--verbose]",
  options: {
    coordinator: { type: "string" },
    json: { type: "boolean", default: false },
  },
  async run({ positionals, values, out, verbose }) {
    const cid = positionals[0];
    if (!cid || positionals.length > 1) throw new InvalidArgumentError("give exactly one CID");
    const audit = auditCollector(verbose);
    const s = await new CoordinatorClient(coordinatorUrl(values), {
      ...(audit.sink ? { audit: audit.sink } : {}),
    }).status(cid);
    if (values.json) {
      out(toJson(audit.audit ? { ...s, audit: audit.audit } : s));
      return 0;
    }
    out(`${s.manifest ? "file" : "chunk"} ${s.cid} (DA height ${s.daHeight})`);
    for (const c of s.chunks) {
      const healthy = c.replicas.filter((r) => r.healthy).length;
      out(
        `${c.cid}  ${c.size} bytes  ${healthy}/${c.replicationFactor} healthy${c.underReplicated ? "  UNDER-REPLICATED" : ""}`,
      );
      for (const r of c.replicas)
        out(`    ${r.node.slice(0, 16)}…  zone ${r.zone}  ${r.status}${r.healthy ? "" : "  (unhealthy)"}`);
    }
    audit.print(out);
    return 0;
  },
};
