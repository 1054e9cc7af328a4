/** @module `dsdn-node storage`: runs one storage node (chunk store + chunk server) in the foreground. */
import { resolve } from "node:path";
import type { Command } from "../../common/cli.js";
import { untilSignal } from "../../common/cli.js";
import { InvalidArgumentError } from "../../common/errors.js";
import { daCliOptions, daOptionsFromCli } from "../da/replay/createDALayer.js";
import { parseSize } from "../storage/chunker.js";
import { startNetworkNode } from "../storage/follower/networkNode.js";
import { loadOrCreateIdentity } from "../storage/identity.js";
import { LocalFsStorage } from "../storage/localfs.js";
import { createChunkServer, DEFAULT_MAX_BODY } from "../storage/server.js";

export const storage: Command = {
  summary: "Run a storage node: chunk store and chunk server (foreground)",
  usage:
    "--data DIR [--port P] [--host H] [--zone Z] [--max-body SIZE] [--coordinator-url URL --operator ADDR --tls-fingerprint HEX [--capacity SIZE] [--class regular|datacenter] [--endpoint URL] [--da URL --token-file FILE] [--coordinator-key KEY]... [--rpc URL] [--heal-rate SIZE] [--heal-interval-ms MS]]",
  options: {
    data: { type: "string" },
    port: { type: "string", default: "7400" },
    host: { type: "string", default: "127.0.0.1" },
    zone: { type: "string", default: "local" },
    "max-body": { type: "string" },
    // Network mode (with --coordinator-url): follow DA, self-heal, register with the coordinator.
    "coordinator-url": { type: "string" },
    "coordinator-key": { type: "string", multiple: true },
    // Chain RPC: the authorized DA publishers (coordinator committee) when no --coordinator-key is given.
    rpc: { type: "string" },
    operator: { type: "string" },
    "tls-fingerprint": { type: "string" },
    capacity: { type: "string" },
    class: { type: "string" },
    endpoint: { type: "string" },
    ...daCliOptions,
    "heal-rate": { type: "string" },
    "heal-interval-ms": { type: "string" },
  },
  async run({ values, out, err }) {
    if (typeof values.data !== "string") throw new InvalidArgumentError("--data DIR is required");
    daOptionsFromCli(values); // refuses --token before anything starts
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new InvalidArgumentError(`--port must be 0–65535, got "${values.port}"`);
    }
    const zone = String(values.zone);
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(zone))
      throw new InvalidArgumentError(`--zone "${zone}": use 1–64 of A-Z a-z 0-9 . _ -`);
    const maxBodyBytes =
      typeof values["max-body"] === "string" ? parseSize(values["max-body"], "--max-body") : DEFAULT_MAX_BODY;
    const dataDir = resolve(values.data);
    const identity = await loadOrCreateIdentity(dataDir);
    const store = await LocalFsStorage.open(dataDir, {
      onCorrupt: (cid, movedTo) => err(`corrupt chunk ${cid} quarantined to ${movedTo}`),
    });
    const { app } = createChunkServer({ storage: store, identity, zone, maxBodyBytes });
    const address = await app.listen({ port, host: String(values.host) });
    out(`dsdn-node storage listening on ${address}`);
    out(`node id ${identity.nodeId} zone ${zone} data ${dataDir} chunks ${store.stats().chunks}`);
    let network: Awaited<ReturnType<typeof startNetworkNode>> | undefined;
    try {
      network =
        typeof values["coordinator-url"] === "string"
          ? await startNetworkNode({ values, identity, storage: store, zone, dataDir, listenAddress: address, out, err })
          : undefined;
    } catch (e) {
      // A node that cannot join the network must not linger serving chunks: stop listening, then report.
      await app.close().catch(() => {});
      throw e;
    }
    await untilSignal();
    await (network ? network.stop() : Promise.resolve()).then(() => app.close()).catch(() => {});
    out("dsdn-node storage stopped");
    return 0;
  },
};
