/** @module `dsdn-node placement <cid>`: recompute a chunk's placement from an independent DA replay (and chain stake weights). */
import { type Command, toJson } from "../../common/cli.js";
import { InvalidArgumentError } from "../../common/errors.js";
import { connectChainView } from "../coordinator/chainView.js";
import { silentLogger } from "../da/events/logger.js";
import { parseCoordinatorList, replayConfig } from "../da/replay/config.js";
import { createDALayer, daCliOptions, daOptionsFromCli } from "../da/replay/createDALayer.js";
import { ReplayFollower } from "../da/replay/follower.js";
import { type ChainPlacementInput, placementCandidates, readChainPlacementInput } from "../placement/candidates.js";
import { placeChunk } from "../placement/placement.js";

export const placementCommand: Command = {
  summary: "Recompute where a chunk belongs from an independent DA replay (anyone can check the coordinator)",
  usage:
    "<cid> --da URL [--namespace HEX] [--coordinator KEY]... [--rpc URL] [--chain-height H] [--uploader ADDR|NODEID] [--rf 3] [--json]",
  options: {
    ...daCliOptions,
    coordinator: { type: "string", multiple: true },
    rpc: { type: "string" },
    "chain-height": { type: "string" },
    uploader: { type: "string" },
    rf: { type: "string" },
    json: { type: "boolean" },
  },
  async run({ positionals, values: v, out, err }) {
    const cid = positionals[0];
    if (!cid || positionals.length > 1) throw new InvalidArgumentError("give exactly one CID");
    const rf = v.rf === undefined ? 3 : Number(v.rf);
    if (!Number.isInteger(rf) || rf < 1 || rf > 64) throw new InvalidArgumentError("--rf must be 1–64");
    const keys = Array.isArray(v.coordinator)
      ? (v.coordinator as string[])
      : parseCoordinatorList(process.env.DSDN_COORDINATOR_KEYS);
    if (keys.length === 0)
      err("warning: no coordinator keys (--coordinator or DSDN_COORDINATOR_KEYS): node statuses will be missing");
    const da = await createDALayer({ ...daOptionsFromCli(v), fallback: false });
    const rpcUrl = typeof v.rpc === "string" ? v.rpc : process.env.RPC_URL;
    try {
      const follower = new ReplayFollower({ da, config: replayConfig({ coordinators: keys }), logger: silentLogger });
      await follower.syncToHead();
      const state = follower.state;
      const declared = state.getChunk(cid);
      // The chain height the coordinator recorded with the placement, so the same stake weights are used.
      const recorded = state.chunks.get(cid)?.chunk.chainHeight;
      const heightArg = typeof v["chain-height"] === "string" ? v["chain-height"] : undefined;
      if (heightArg !== undefined && !/^[1-9]\d{0,18}$/.test(heightArg))
        throw new InvalidArgumentError("--chain-height must be a positive integer");
      const height = heightArg !== undefined ? BigInt(heightArg) : recorded && recorded > 0n ? recorded : undefined;
      let chainInput: ChainPlacementInput | undefined;
      if (rpcUrl) {
        const chain = await connectChainView(rpcUrl);
        try {
          chainInput = await readChainPlacementInput(
            chain,
            state.listNodes().map((n) => n.nodeId),
            height,
          );
        } finally {
          chain.close();
        }
      } else {
        err(
          "note: no --rpc/RPC_URL: the DA registrations are used with stake weight 0 (an estimate, not the placement)",
        );
      }
      const uploader = typeof v.uploader === "string" ? v.uploader : declared?.uploader;
      const p = placeChunk({
        cid,
        nodes: placementCandidates(state, chainInput),
        replicationFactor: rf,
        ...(chainInput ? { chainHeight: chainInput.height } : {}),
        ...(uploader ? { uploader } : {}),
      });
      const result = {
        ...p,
        daHeight: follower.height,
        stateDigest: follower.digestHex(),
        declared: declared ? declared.placement : null,
        replicas: declared ? declared.replicas : [],
      };
      if (v.json) {
        out(toJson(result, 2));
        return 0;
      }
      out(
        `placement of ${cid} at DA height ${follower.height} (state ${result.stateDigest.slice(0, 16)}…)` +
          (p.chainHeight !== undefined ? `, chain height ${p.chainHeight}` : ""),
      );
      for (const n of p.nodes) out(`  ${n.nodeId}  zone ${n.zone}  ${n.endpoint}  score ${n.score}`);
      if (p.underReplicated) out(`  under-replicated: ${p.nodes.length} of ${p.replicationFactor} zones available`);
      if (declared)
        out(`declared on DA: ${declared.placement.join(", ") || "(none)"}; replicas: ${declared.replicas.length}`);
      return 0;
    } finally {
      await da.close();
    }
  },
};
