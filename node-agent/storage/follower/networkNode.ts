/** @module Network mode of `dsdn-node storage`: DA replay, self-healing and registration with the coordinator. */
import { join } from "node:path";
import { BaseError, InvalidArgumentError, isBaseError } from "../../../common/errors.js";
import { fromHex } from "../../../common/hash.js";
import { isValidAddress } from "../../../common/secp256k1.js";
import { CoordinatorClient } from "../../coordinator/client.js";
import { stderrLogger } from "../../da/events/logger.js";
import { parseCoordinatorList, replayConfig } from "../../da/replay/config.js";
import { createDALayer, daOptionsFromCli } from "../../da/replay/createDALayer.js";
import { ReplayFollower } from "../../da/replay/follower.js";
import { parseSize } from "../chunker.js";
import type { NodeIdentity } from "../identity.js";
import type { InFlightChunks } from "../inFlight.js";
import type { LocalFsStorage } from "../localfs.js";
import { committeePublishersFromChain } from "./chainPublishers.js";
import { GarbageCollector } from "./garbageCollector.js";
import { registerWithCoordinator } from "./register.js";
import { SelfHealer } from "./selfHeal.js";

export interface NetworkNodeInput {
  readonly values: Record<string, unknown>;
  readonly identity: NodeIdentity;
  readonly storage: LocalFsStorage;
  /** What the chunk server stored under still-valid tickets (kept by garbage collection until they expire). */
  readonly inFlight?: InFlightChunks;
  readonly zone: string;
  readonly dataDir: string;
  readonly listenAddress: string;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export interface NetworkNode {
  /** The coordinators this node trusts (its DA replay rules; their tickets authorize PUTs). */
  readonly coordinatorKeys: readonly string[];
  readonly follower: ReplayFollower;
  readonly healer: SelfHealer;
  readonly gc: GarbageCollector;
  stop(): Promise<void>;
}

/** Unneeded chunks are kept this long before they are deleted (1 h). */
export const DEFAULT_GC_GRACE_MS = 3_600_000;

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

export async function startNetworkNode(i: NetworkNodeInput): Promise<NetworkNode> {
  const v = i.values;
  const coordinator = new CoordinatorClient(str(v["coordinator-url"])!);
  const operator = str(v.operator);
  if (operator && !isValidAddress(operator))
    throw new InvalidArgumentError(`--operator "${operator}" is not a nusa1… address`);
  const fpHex = str(v["tls-fingerprint"]);
  if (operator && (!fpHex || !/^[0-9a-fA-F]{64}$/.test(fpHex)))
    throw new InvalidArgumentError("--tls-fingerprint must be the 64-hex sha256 registered on chain for this node");
  const klass = str(v.class) ?? "regular";
  if (klass !== "regular" && klass !== "datacenter")
    throw new InvalidArgumentError("--class must be regular or datacenter");
  const capacity = BigInt(parseSize(str(v.capacity) ?? "1024GiB", "--capacity"));
  const endpoint = str(v.endpoint) ?? i.listenAddress;
  const healRate = str(v["heal-rate"]) ? parseSize(str(v["heal-rate"])!, "--heal-rate") : undefined;
  const intervalMs = str(v["heal-interval-ms"]) ? Number(v["heal-interval-ms"]) : undefined;
  if (intervalMs !== undefined && !(Number.isInteger(intervalMs) && intervalMs >= 50))
    throw new InvalidArgumentError("--heal-interval-ms must be an integer ≥ 50");
  const graceMs = str(v["gc-grace-ms"]) ? Number(v["gc-grace-ms"]) : DEFAULT_GC_GRACE_MS;
  if (!(Number.isInteger(graceMs) && graceMs >= 1000))
    throw new InvalidArgumentError("--gc-grace-ms must be an integer ≥ 1000");

  // Replay rules: coordinator keys by flag, else DSDN_COORDINATOR_KEYS, else the chain's committee registry.
  // Never the coordinator's own /health answer: whoever answers there could name itself.
  let keys = Array.isArray(v["coordinator-key"])
    ? (v["coordinator-key"] as string[])
    : parseCoordinatorList(process.env.DSDN_COORDINATOR_KEYS);
  const rpcUrl = str(v.rpc) ?? str(process.env.RPC_URL);
  if (keys.length === 0 && rpcUrl) keys = await committeePublishersFromChain(rpcUrl);
  if (keys.length === 0)
    throw new InvalidArgumentError(
      "no authorized DA publishers: pass --coordinator-key KEY (or DSDN_COORDINATOR_KEYS), or --rpc URL to read the committee registry from the chain",
    );
  const da = await createDALayer(daOptionsFromCli(v));
  const follower = new ReplayFollower({
    da,
    config: replayConfig({ coordinators: keys }),
    checkpointDir: join(i.dataDir, "replay"),
    logger: stderrLogger,
  });
  await follower.syncToHead();
  follower.start();
  const healer = new SelfHealer({
    follower,
    storage: i.storage,
    identity: i.identity,
    zone: i.zone,
    coordinator,
    trustedCoordinators: new Set(keys),
    ...(healRate !== undefined ? { bytesPerSecond: healRate } : {}),
    ...(intervalMs !== undefined ? { intervalMs } : {}),
    logger: stderrLogger,
  });
  healer.start();
  const gc = new GarbageCollector({
    follower,
    storage: i.storage,
    identity: i.identity,
    graceMs,
    ...(i.inFlight ? { inFlight: i.inFlight } : {}),
    logger: stderrLogger,
  });
  gc.start();

  const stopping = new AbortController();
  let registering: Promise<void> | undefined;
  if (operator && fpHex) {
    // Registration retries: the coordinator may start later, or the operator may bond stake later.
    registering = (async () => {
      for (let attempt = 0; !stopping.signal.aborted; attempt++) {
        try {
          const r = await registerWithCoordinator(coordinator, {
            identity: i.identity,
            operator,
            zone: i.zone,
            class: klass,
            capacityBytes: capacity,
            endpoint,
            tlsFingerprint: fromHex(fpHex.toLowerCase()),
            daHeight: follower.height,
          });
          i.out(`registered with coordinator ${coordinator.url}: status ${r.status} at DA height ${r.daHeight}`);
          return;
        } catch (e) {
          const msg = isBaseError(e) ? e.shortMessage : (e as Error).message;
          const details = e instanceof BaseError && e.details ? ` (${e.details.replace(/\n/g, "; ")})` : "";
          i.err(`registration not accepted yet: ${msg}${details}`);
          await new Promise<void>((r) => {
            const t = setTimeout(r, Math.min(10_000, 500 * 2 ** Math.min(attempt, 5)));
            stopping.signal.addEventListener(
              "abort",
              () => {
                clearTimeout(t);
                r();
              },
              { once: true },
            );
          });
        }
      }
    })();
  }
  i.out(`following DA at height ${follower.height}; self-healing on; coordinator ${coordinator.url}`);
  return {
    coordinatorKeys: keys,
    follower,
    healer,
    gc,
    async stop() {
      stopping.abort();
      await registering;
      await gc.stop();
      await healer.stop();
      await follower.stop();
      await da.close();
    },
  };
}
