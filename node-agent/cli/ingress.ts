/** @module `dsdn-node ingress`: the HTTP gateway — GET /object/{cid} from the nearest healthy replica, GET /health. */
import type { Command } from "../../common/cli.js";
import { untilSignal } from "../../common/cli.js";
import { InvalidArgumentError } from "../../common/errors.js";
import { startCompliance } from "../compliance/start.js";
import { stderrLogger } from "../da/events/logger.js";
import { parseCoordinatorList, replayConfig } from "../da/replay/config.js";
import { createDALayer, daCliOptions, daOptionsFromCli } from "../da/replay/createDALayer.js";
import { ReplayFollower } from "../da/replay/follower.js";
import { SERVICE_LIMIT_OPTIONS, SERVICE_LIMIT_USAGE, serviceLimitsFromFlags } from "../http/serviceLimits.js";
import { createIngress } from "../ingress/ingress.js";
import { parseSize } from "../storage/chunker.js";

export const ingressCommand: Command = {
  summary: "Run the HTTP ingress: objects by CID, verified, from the nearest healthy replica (reads DA state only)",
  usage: `[--port 7500] [--host 127.0.0.1] [--zone Z] [--da URL] [--token-file FILE] [--namespace HEX] [--coordinator KEY]... [--cache 256MiB] [--rpc URL] [--audit-log FILE] ${SERVICE_LIMIT_USAGE}`,
  options: {
    port: { type: "string", default: "7500" },
    host: { type: "string", default: "127.0.0.1" },
    zone: { type: "string" },
    ...daCliOptions,
    coordinator: { type: "string", multiple: true },
    cache: { type: "string" },
    // Chain Nusantara RPC (else RPC_URL): governance's blocked CIDs and routes are followed and refused.
    rpc: { type: "string" },
    "audit-log": { type: "string" },
    ...SERVICE_LIMIT_OPTIONS,
  },
  async run({ values: v, out, err }) {
    const port = Number(v.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new InvalidArgumentError(`--port must be 0–65535, got "${v.port}"`);
    const keys = Array.isArray(v.coordinator)
      ? (v.coordinator as string[])
      : parseCoordinatorList(process.env.DSDN_COORDINATOR_KEYS);
    if (keys.length === 0)
      throw new InvalidArgumentError(
        "coordinator keys are required (--coordinator KEY or DSDN_COORDINATOR_KEYS): without them no node is Active",
      );
    const rpcUrl = typeof v.rpc === "string" ? v.rpc : process.env.RPC_URL;
    const compliance = rpcUrl
      ? await startCompliance({
          rpcUrl,
          ...(typeof v["audit-log"] === "string" ? { auditPath: v["audit-log"] } : {}),
          log: err,
        })
      : undefined;
    if (!compliance) err("warning: no --rpc (or RPC_URL): governance blocks are not enforced by this ingress");
    const da = await createDALayer(daOptionsFromCli(v));
    // No checkpoints: the ingress keeps nothing on disk; a restart replays DA and answers the same.
    const follower = new ReplayFollower({ da, config: replayConfig({ coordinators: keys }), logger: stderrLogger });
    await follower.syncToHead();
    follower.start();
    const ingress = createIngress({
      ...serviceLimitsFromFlags(v),
      da,
      follower,
      ...(typeof v.zone === "string" ? { zone: v.zone } : {}),
      ...(typeof v.cache === "string" ? { cacheBytes: parseSize(v.cache, "--cache") } : {}),
      ...(compliance ? { compliance: compliance.gate } : {}),
    });
    const address = await ingress.app.listen({ port, host: String(v.host) });
    out(`dsdn-node ingress listening on ${address} (DA height ${follower.height})`);
    await untilSignal();
    await ingress.stop();
    await follower.stop();
    await compliance?.stop();
    await da.close();
    out("dsdn-node ingress stopped");
    return 0;
  },
};
