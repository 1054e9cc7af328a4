/** @module `dsdn-node schedule <workload-id>`: recompute a workload's node choice from DA + chain and compare it with the coordinator's record. */
import { type Command, toJson } from "../../common/cli.js";
import { InvalidArgumentError } from "../../common/errors.js";
import { connectComputeChain } from "../compute/chain.js";
import { scanComputeRecords } from "../compute/daIndex.js";
import { recomputeSchedule } from "../compute/recompute.js";
import { connectChainView } from "../coordinator/chainView.js";
import { parseCoordinatorList } from "../da/replay/config.js";
import { createDALayer, daCliOptions, daOptionsFromCli } from "../da/replay/createDALayer.js";

export const scheduleCommand: Command = {
  summary: "Recompute which node(s) a workload is scheduled on, from DA + chain (anyone can check the coordinator)",
  usage: "<workload-id> --da URL [--namespace HEX] [--coordinator KEY]... --rpc URL [--json]",
  options: {
    ...daCliOptions,
    coordinator: { type: "string", multiple: true },
    rpc: { type: "string" },
    json: { type: "boolean" },
  },
  async run({ positionals, values: v, out }) {
    const id = positionals[0];
    if (!id || positionals.length > 1 || !/^[0-9a-f]{64}$/.test(id))
      throw new InvalidArgumentError("give exactly one workload id (64 hex digits)");
    const keys = Array.isArray(v.coordinator)
      ? (v.coordinator as string[])
      : parseCoordinatorList(process.env.DSDN_COORDINATOR_KEYS);
    if (keys.length === 0)
      throw new InvalidArgumentError("name the coordinator keys (--coordinator or DSDN_COORDINATOR_KEYS)");
    const rpcUrl = typeof v.rpc === "string" ? v.rpc : process.env.RPC_URL;
    if (!rpcUrl)
      throw new InvalidArgumentError("--rpc URL (or RPC_URL) is needed: the schedule depends on chain state");
    const da = await createDALayer(daOptionsFromCli(v));
    const view = await connectChainView(rpcUrl);
    const chain = await connectComputeChain(rpcUrl, view);
    try {
      const rec = (await scanComputeRecords(da, keys)).scheduled.get(id);
      if (!rec) throw new InvalidArgumentError(`no WorkloadScheduled for ${id} on DA`);
      const r = await recomputeSchedule(rec.event, chain);
      const result = {
        workloadId: id,
        daHeight: rec.daHeight,
        chainHeight: rec.event.chainHeight,
        recorded: r.recorded,
        recomputed: r.schedule.chosen,
        matches: r.matches,
        ranking: r.schedule.ranking,
      };
      if (v.json) out(toJson(result, 2));
      else {
        out(`workload ${id} (DA height ${rec.daHeight}, chain height ${rec.event.chainHeight})`);
        out(`  recorded   ${r.recorded.join(", ")}`);
        out(`  recomputed ${r.schedule.chosen.join(", ")}  ${r.matches ? "MATCH" : "MISMATCH"}`);
        for (const x of r.schedule.ranking)
          out(`    ${x.nodeId.slice(0, 16)}…  score ${x.score}${x.excluded ? `  excluded: ${x.excluded}` : ""}`);
      }
      return r.matches ? 0 : 3;
    } finally {
      chain.close();
      view.close();
      await da.close();
    }
  },
};
