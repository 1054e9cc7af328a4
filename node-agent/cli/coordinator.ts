/** @module `dsdn-node coordinator`: run the coordinator service, print its key, and the FROST committee tools. */
import { join, resolve } from "node:path";
import type { Command, CommandGroup } from "../../common/cli.js";
import { untilSignal } from "../../common/cli.js";
import { InvalidArgumentError } from "../../common/errors.js";
import { startCompliance } from "../compliance/start.js";
import { connectComputeChain } from "../compute/chain.js";
import { ComputeIndex, rebuildComputeIndex } from "../compute/daIndex.js";
import { ComputeService } from "../compute/service.js";
import { startAuditTrail } from "../coordinator/auditTrail.js";
import { connectChainView } from "../coordinator/chainView.js";
import { Coordinator } from "../coordinator/coordinator.js";
import { connectFaultReporter } from "../coordinator/faultReporter.js";
import { loadOrCreateCoordinatorKey } from "../coordinator/keyFile.js";
import { COORDINATOR_TIMEOUTS, coordinatorRoutes } from "../coordinator/routes.js";
import { stderrLogger } from "../da/events/logger.js";
import { parseCoordinatorList, replayConfig } from "../da/replay/config.js";
import { createDALayer, daCliOptions, daOptionsFromCli } from "../da/replay/createDALayer.js";
import { SERVICE_LIMIT_OPTIONS, SERVICE_LIMIT_USAGE, serviceLimitsFromFlags } from "../http/serviceLimits.js";

function intOpt(v: unknown, name: string, fallback: number, min = 0): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min)
    throw new InvalidArgumentError(`--${name} must be an integer ≥ ${min}, got ${String(v)}`);
  return n;
}

const run: Command = {
  summary:
    "Run the coordinator: node admission via the chain, placement, chunk declarations, self-healing (foreground)",
  usage: `--data DIR [--port 7300] [--host 127.0.0.1] [--da URL] [--token-file FILE] [--namespace HEX] [--rpc URL] [--coordinator KEY]... [--rf 3] [--health-interval-ms 1000] [--dead-after-ms 5000] [--reconcile-ms 1000] [--challenge-ms 5000] [--max-heals 64] [--fault-keyring-dir DIR --fault-key NAME] [--ticket-ttl-ms MS] [--localnet] ${SERVICE_LIMIT_USAGE}`,
  options: {
    data: { type: "string" },
    port: { type: "string", default: "7300" },
    host: { type: "string", default: "127.0.0.1" },
    ...daCliOptions,
    rpc: { type: "string" },
    coordinator: { type: "string", multiple: true },
    rf: { type: "string" },
    "health-interval-ms": { type: "string" },
    "dead-after-ms": { type: "string" },
    "reconcile-ms": { type: "string" },
    "challenge-ms": { type: "string" },
    "max-heals": { type: "string" },
    "fault-keyring-dir": { type: "string" },
    "fault-key": { type: "string" },
    "ticket-ttl-ms": { type: "string" },
    ...SERVICE_LIMIT_OPTIONS,
    // Marks a development localnet: node endpoints on loopback/private addresses are admitted (refused otherwise).
    localnet: { type: "boolean" },
  },
  async run({ values: v, out }) {
    if (typeof v.data !== "string") throw new InvalidArgumentError("--data DIR is required");
    const rpcUrl = typeof v.rpc === "string" ? v.rpc : process.env.RPC_URL;
    if (!rpcUrl)
      throw new InvalidArgumentError("--rpc URL (or RPC_URL) is required: admission is decided by the chain");
    const port = intOpt(v.port, "port", 7300);
    if (port > 65535) throw new InvalidArgumentError("--port must be 0–65535");
    const dataDir = resolve(v.data);
    const key = await loadOrCreateCoordinatorKey(dataDir);
    // The replay rules: this coordinator plus any peers named by flag or DSDN_COORDINATOR_KEYS.
    const peers = Array.isArray(v.coordinator)
      ? (v.coordinator as string[])
      : parseCoordinatorList(process.env.DSDN_COORDINATOR_KEYS);
    const config = replayConfig({ coordinators: [key.nodeId, ...peers] });
    const da = await createDALayer(daOptionsFromCli(v));
    const chain = await connectChainView(rpcUrl);
    // Optional: report proven faults (wrong bytes on a challenge) with this keyring key (the genesis fault authority).
    const faultReporter =
      typeof v["fault-key"] === "string"
        ? await connectFaultReporter({
            rpcUrl,
            keyringDir:
              typeof v["fault-keyring-dir"] === "string" ? resolve(v["fault-keyring-dir"]) : resolve(v.data, "keyring"),
            keyName: v["fault-key"],
            ...(process.env.GAS_PRICE ? { gasPrice: process.env.GAS_PRICE } : {}),
          })
        : undefined;
    const coordinator = new Coordinator({
      da,
      secretKey: key.secretKey,
      dataDir,
      replay: config,
      chain,
      replicationFactor: intOpt(v.rf, "rf", 3, 1),
      healthIntervalMs: intOpt(v["health-interval-ms"], "health-interval-ms", 1000, 50),
      deadAfterMs: intOpt(v["dead-after-ms"], "dead-after-ms", 5000, 0),
      reconcileIntervalMs: intOpt(v["reconcile-ms"], "reconcile-ms", 1000, 50),
      challengeIntervalMs: intOpt(v["challenge-ms"], "challenge-ms", 5000, 0),
      maxHealsPerRound: intOpt(v["max-heals"], "max-heals", 64, 1),
      ticketTtlMs: intOpt(v["ticket-ttl-ms"], "ticket-ttl-ms", 3_600_000, 100),
      ...(faultReporter ? { faultReporter } : {}),
      allowPrivateEndpoints: v.localnet === true,
      logger: stderrLogger,
    });
    await coordinator.start();
    // Compute workloads: scheduled from this coordinator's DA replay, the chain and node heartbeats.
    const computeChain = await connectComputeChain(rpcUrl, chain);
    // Governance's blocked CIDs: no upload ticket and no workload for one; decisions and refusals audited.
    const compliance = await startCompliance({
      rpcUrl,
      auditPath: join(dataDir, "compliance-audit.log"),
      log: (l) => process.stderr.write(`${l}\n`),
    });
    const compute = new ComputeService({
      compliance,
      chain: computeChain,
      chainTimeMs: () => computeChain.latestBlockTimeMs(),
      registeredNodes: () => coordinator.state.listNodes().map((n) => n.nodeId),
      endpointOf: (id) => coordinator.state.getNode(id)?.endpoint,
      publish: (events) => coordinator.publishAndApply(events),
    });
    // The compute index follows DA from its cursor (<data>/compute-index.sqlite): a restart reads only new heights.
    const computeIndex = ComputeIndex.open({
      path: join(dataDir, "compute-index.sqlite"),
      da,
      coordinators: [key.nodeId, ...peers],
    });
    await rebuildComputeIndex(compute, computeIndex);
    // WORM audit log (<data>/audit.log), FallbackActivated / CommitteeRotated events, mirror to DA.
    const stopAudit = await startAuditTrail({
      dataDir,
      da,
      publisher: coordinator.publisher,
      secretKey: key.secretKey,
      rpcUrl,
      logger: stderrLogger,
    });
    const service = serviceLimitsFromFlags(v);
    const app = coordinatorRoutes(coordinator, {
      compute,
      compliance,
      limits: service.limits,
      // Without --idle-timeout-ms: the coordinator's own (longer) idle deadline, see COORDINATOR_TIMEOUTS.
      timeouts:
        v["idle-timeout-ms"] === undefined
          ? { ...service.timeouts, idleTimeoutMs: COORDINATOR_TIMEOUTS.idleTimeoutMs }
          : service.timeouts,
    });
    const address = await app.listen({ port, host: String(v.host) });
    out(`dsdn-node coordinator listening on ${address}`);
    out(`coordinator key ${key.nodeId} DA height ${coordinator.follower.height} chain ${rpcUrl}`);
    await untilSignal();
    await app.close();
    await stopAudit();
    await compliance.stop();
    await coordinator.stop();
    chain.close();
    computeChain.close();
    computeIndex.close();
    faultReporter?.close();
    await da.close();
    out("dsdn-node coordinator stopped");
    return 0;
  },
};

const key: Command = {
  summary: "Print the coordinator's public key (creating <data>/node-key.json on first use)",
  usage: "--data DIR",
  options: { data: { type: "string" } },
  async run({ values, out }) {
    if (typeof values.data !== "string") throw new InvalidArgumentError("--data DIR is required");
    out((await loadOrCreateCoordinatorKey(resolve(values.data))).nodeId);
    return 0;
  },
};

/** One entry per subcommand; add more here. */
export const coordinatorCommand: CommandGroup = {
  summary: "Coordinator service and committee tools",
  commands: {
    run: async () => run,
    key: async () => key,
    frost: async () => (await import("../coordinator/frost/index.js")).frostCommand,
    receipts: async () => (await import("../coordinator/receipts/cli.js")).receiptsCommand,
  },
};
