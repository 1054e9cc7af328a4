/** @module `dsdn-node storage`: runs one storage node (chunk store + chunk server) in the foreground. */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { BECH32_PREFIX, connectSigningClient, DEFAULT_GAS_PRICE } from "../../clients/sdk/client.js";
import type { Command } from "../../common/cli.js";
import { untilSignal } from "../../common/cli.js";
import { InvalidArgumentError } from "../../common/errors.js";
import { startCompliance } from "../compliance/start.js";
import { ComputeAgent } from "../compute/agent.js";
import { Defender } from "../compute/defender.js";
import { JobLogStore } from "../compute/jobLogs.js";
import { registerLogsRoute } from "../compute/logsRoute.js";
import { chooseMicroVM } from "../compute/microvmChoice.js";
import { registerOutputsRoute } from "../compute/outputsRoute.js";
import { PrivateOutputs } from "../compute/privateOutputs.js";
import { parseCoordinatorList } from "../da/replay/config.js";
import { daCliOptions, daOptionsFromCli } from "../da/replay/createDALayer.js";
import { connectFraudChain } from "../fraud/cosmosChain.js";
import { parseFault } from "../fraud/fault.js";
import { SERVICE_LIMIT_OPTIONS, SERVICE_LIMIT_USAGE, serviceLimitsFromFlags } from "../http/serviceLimits.js";
import { parseSize } from "../storage/chunker.js";
import { startNetworkNode } from "../storage/follower/networkNode.js";
import { loadOrCreateIdentity, type NodeIdentity } from "../storage/identity.js";
import { InFlightChunks } from "../storage/inFlight.js";
import { LivenessResponder } from "../storage/liveness.js";
import { LocalFsStorage } from "../storage/localfs.js";
import { Scrubber } from "../storage/scrubber.js";
import { createChunkServer, DEFAULT_MAX_BODY, DEFAULT_MAX_UPLOADS } from "../storage/server.js";

/** Default per-uploader quota per window (`--quota`; the window is `--quota-window-ms`, 1 h). */
const DEFAULT_QUOTA_BYTES = 16 * 1024 ** 3;

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function intOpt(v: unknown, name: string, fallback: number, min: number): number {
  if (str(v) === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`--${name} must be an integer ≥ ${min}`);
  return n;
}

/**
 * Starts the compute agent when --coordinator-url and --compute-objects-url (or INGRESS_URL) are given, and its
 * fraud-game defender when the operator's key is given too (--operator-mnemonic-file, a 0600 file; with --rpc).
 */
async function startCompute(
  values: Record<string, unknown>,
  store: { outputs: LocalFsStorage; privateOutputs: PrivateOutputs },
  jobLogs: JobLogStore,
  identity: NodeIdentity,
  dataDir: string,
  err: (l: string) => void,
): Promise<{ stop(): Promise<void> } | undefined> {
  const coordinatorUrl = str(values["coordinator-url"]);
  const objectsUrl = str(values["compute-objects-url"]) ?? str(process.env.INGRESS_URL);
  const chainId = str(values["chain-id"]) ?? str(process.env.CHAIN_ID);
  const faultText = str(values.fault);
  if (faultText && !chainId) throw new InvalidArgumentError("--fault needs --chain-id (a localnet's)");
  const fault = faultText ? parseFault(faultText, chainId!) : undefined;
  const askedMicroVM = str(values.microvm) ?? str(process.env.DSDN_MICROVM);
  if (askedMicroVM && (!coordinatorUrl || !objectsUrl || !chainId))
    throw new InvalidArgumentError(
      "--microvm needs the compute agent (--coordinator-url, --compute-objects-url, --chain-id)",
    );
  if (!coordinatorUrl || !objectsUrl || !chainId) return undefined;
  const microvm = chooseMicroVM(askedMicroVM, chainId);
  err(`compute: MicroVM backend ${microvm.backend} (${microvm.why})`);
  const traceDir = join(dataDir, "compute-traces");
  if (fault) err(`compute: TEST-ONLY FAULT MODE ${faultText}: this node reports false compute results`);
  const agent = new ComputeAgent({
    identity,
    coordinatorUrl,
    objectsUrl,
    chainId,
    ...store,
    jobLogs,
    traceDir,
    log: err,
    microvm: microvm.backend,
    ...(fault ? { fault } : {}),
  });
  let defender: Defender | undefined;
  let chain: { close(): void } | undefined;
  const mnemonicFile = str(values["operator-mnemonic-file"]);
  if (mnemonicFile) {
    const rpcUrl = str(values.rpc) ?? str(process.env.RPC_URL);
    if (!rpcUrl) throw new InvalidArgumentError("the defender (--operator-mnemonic-file) needs --rpc URL");
    const mnemonic = (await readFile(mnemonicFile, "utf8")).trim();
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: BECH32_PREFIX });
    const c = await connectFraudChain(rpcUrl, wallet, str(values["gas-price"]) ?? DEFAULT_GAS_PRICE);
    chain = c;
    defender = new Defender({ chain: c, identity, traceDir, objectsUrl, chainId, log: err });
    defender.start();
  }
  agent.start();
  return {
    async stop() {
      await agent.stop();
      await defender?.stop();
      chain?.close();
    },
  };
}

/**
 * Answers the chain's liveness challenges (the subsidy's uptime) when the operator's key (--operator-mnemonic-file,
 * a 0600 file) and --rpc (or RPC_URL) are given: the node key signs each answer, the operator's key the tx.
 */
async function startLiveness(
  values: Record<string, unknown>,
  identity: NodeIdentity,
  err: (l: string) => void,
): Promise<{ stop(): Promise<void> } | undefined> {
  const mnemonicFile = str(values["operator-mnemonic-file"]);
  const rpcUrl = str(values.rpc) ?? str(process.env.RPC_URL);
  if (!mnemonicFile || !rpcUrl) return undefined;
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic((await readFile(mnemonicFile, "utf8")).trim(), {
    prefix: BECH32_PREFIX,
  });
  const [account] = await wallet.getAccounts();
  if (!account) throw new InvalidArgumentError("--operator-mnemonic-file holds no account");
  const { client, query } = await connectSigningClient(rpcUrl, wallet, {
    gasPrice: str(values["gas-price"]) ?? DEFAULT_GAS_PRICE,
  });
  const responder = new LivenessResponder({
    chain: {
      chainId: await client.getChainId(),
      signer: account.address,
      query: (path, req) => query.dsdn.query(path, req),
      send: (msg) => client.signAndBroadcast(account.address, [msg], 1.6),
    },
    identity,
    intervalMs: intOpt(values["liveness-interval-ms"], "liveness-interval-ms", 5_000, 100),
    log: err,
  });
  responder.start();
  return {
    async stop() {
      await responder.stop();
      client.disconnect();
    },
  };
}

export const storage: Command = {
  summary: "Run a storage node: chunk store and chunk server (foreground)",
  usage: `--data DIR [--port P] [--host H] [--zone Z] [--max-body SIZE] (--coordinator-key KEY... | --open-uploads) [--capacity SIZE] [--reserve-free SIZE] [--quota SIZE --quota-window-ms MS] [--max-uploads N] [--scrub-rate SIZE] [--scrub-pass-ms MS] ${SERVICE_LIMIT_USAGE} [--coordinator-url URL --operator ADDR --tls-fingerprint HEX [--class regular|datacenter] [--endpoint URL] [--da URL --token-file FILE] [--rpc URL] [--heal-rate SIZE] [--heal-interval-ms MS] [--gc-grace-ms MS] [--compute-objects-url URL --chain-id ID [--fault MODE] [--microvm bwrap|mock|none]]] [--operator-mnemonic-file F --rpc URL [--liveness-interval-ms MS]]`,
  options: {
    data: { type: "string" },
    port: { type: "string", default: "7400" },
    host: { type: "string", default: "127.0.0.1" },
    zone: { type: "string", default: "local" },
    "max-body": { type: "string" },
    // Who may PUT: tickets signed by these coordinators (also DSDN_COORDINATOR_KEYS), or anyone (dev only).
    "coordinator-key": { type: "string", multiple: true },
    "open-uploads": { type: "boolean" },
    capacity: { type: "string" },
    "reserve-free": { type: "string" },
    quota: { type: "string" },
    "quota-window-ms": { type: "string" },
    "max-uploads": { type: "string" },
    "scrub-rate": { type: "string" },
    "scrub-pass-ms": { type: "string" },
    ...SERVICE_LIMIT_OPTIONS,
    // Network mode (with --coordinator-url): follow DA, self-heal, register with the coordinator.
    "coordinator-url": { type: "string" },
    // Chain RPC: the authorized DA publishers (coordinator committee) when no --coordinator-key is given.
    rpc: { type: "string" },
    operator: { type: "string" },
    "tls-fingerprint": { type: "string" },
    class: { type: "string" },
    endpoint: { type: "string" },
    ...daCliOptions,
    "heal-rate": { type: "string" },
    // Compute: run workloads the coordinator's DA records schedule here (needs --coordinator-url).
    "compute-objects-url": { type: "string" },
    "chain-id": { type: "string" },
    // The fraud-game defender and the liveness answers sign with the node operator's key (a 0600 mnemonic file).
    "operator-mnemonic-file": { type: "string" },
    "liveness-interval-ms": { type: "string" },
    "gas-price": { type: "string" },
    // Test-only, localnet chain ids only: wrong-output | wrong-step@N | wrong-trace@N | skip-execution.
    fault: { type: "string" },
    // The MicroVM backend offered (also DSDN_MICROVM): bwrap | mock (localnet only) | none; default bwrap if it runs.
    microvm: { type: "string" },
    "heal-interval-ms": { type: "string" },
    "gc-grace-ms": { type: "string" },
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
    const networkMode = typeof values["coordinator-url"] === "string";
    // Ticket authority comes from this node's trusted configuration (flag, else DSDN_COORDINATOR_KEYS) —
    // the same coordinator set its DA replay trusts. A network node without either learns it at start.
    const keys = Array.isArray(values["coordinator-key"])
      ? (values["coordinator-key"] as string[])
      : parseCoordinatorList(process.env.DSDN_COORDINATOR_KEYS);
    for (const k of keys)
      if (!/^[0-9a-f]{64}$/.test(k))
        throw new InvalidArgumentError(`--coordinator-key "${k.slice(0, 80)}" is not 64 hex`);
    const open = values["open-uploads"] === true;
    if (open && keys.length > 0)
      throw new InvalidArgumentError("--open-uploads and --coordinator-key exclude each other");
    if (!open && keys.length === 0 && !networkMode)
      throw new InvalidArgumentError(
        "a storage node stores only chunks a coordinator placed on it: give --coordinator-key KEY (or DSDN_COORDINATOR_KEYS), or --open-uploads for a standalone development node",
      );
    const trusted = new Set(keys);
    const capacity = str(values.capacity) ? parseSize(str(values.capacity)!, "--capacity") : undefined;
    // On by default: one uploader cannot fill a node in an hour (0 turns it off).
    const quota = str(values.quota) ? parseSize(str(values.quota)!, "--quota") : DEFAULT_QUOTA_BYTES;
    const { timeouts, limits } = serviceLimitsFromFlags(values);
    const dataDir = resolve(values.data);
    const identity = await loadOrCreateIdentity(dataDir);
    const store = await LocalFsStorage.open(dataDir, {
      onCorrupt: (cid, movedTo) => err(`corrupt chunk ${cid} quarantined to ${movedTo}`),
    });
    // Governance's blocked CIDs, followed from the chain (--rpc, else RPC_URL) and never served; decisions audited.
    const rpcUrl = str(values.rpc) ?? str(process.env.RPC_URL);
    const compliance = rpcUrl
      ? await startCompliance({ rpcUrl, auditPath: join(dataDir, "compliance-audit.log"), log: err })
      : undefined;
    if (!compliance && networkMode)
      err("warning: no --rpc (or RPC_URL): governance blocks are not enforced by this node");
    // Chunks stored under a valid ticket but not declared yet (an upload in flight): garbage collection spares them.
    const inFlight = new InFlightChunks();
    const { app } = createChunkServer({
      ...(compliance ? { compliance: compliance.gate } : {}),
      storage: store,
      inFlight,
      identity,
      zone,
      maxBodyBytes,
      authority: open ? "open" : trusted,
      ...(capacity !== undefined ? { capacityBytes: capacity } : {}),
      ...(str(values["reserve-free"])
        ? { reserveFreeBytes: parseSize(str(values["reserve-free"])!, "--reserve-free") }
        : {}),
      quota: { bytesPerWindow: quota, windowMs: intOpt(values["quota-window-ms"], "quota-window-ms", 3_600_000, 100) },
      maxConcurrentUploads: intOpt(values["max-uploads"], "max-uploads", DEFAULT_MAX_UPLOADS, 1),
      timeouts,
      limits,
    });
    const scrubber = new Scrubber({
      storage: store,
      ...(str(values["scrub-rate"]) ? { bytesPerSecond: parseSize(str(values["scrub-rate"])!, "--scrub-rate") } : {}),
      passIntervalMs: intOpt(values["scrub-pass-ms"], "scrub-pass-ms", 600_000, 10),
    });
    const outputs = await LocalFsStorage.open(join(dataDir, "compute-outputs"));
    const privateOutputs = new PrivateOutputs(join(dataDir, "compute-private"));
    registerOutputsRoute(app, outputs, privateOutputs);
    const jobLogs = new JobLogStore(join(dataDir, "compute-logs"));
    registerLogsRoute(app, jobLogs);
    const address = await app.listen({ port, host: String(values.host) });
    out(`dsdn-node storage listening on ${address}`);
    out(`node id ${identity.nodeId} zone ${zone} data ${dataDir} chunks ${store.stats().chunks}`);
    if (open) err("warning: --open-uploads: this node stores chunks from anyone, without coordinator tickets");
    scrubber.start();
    let network: Awaited<ReturnType<typeof startNetworkNode>> | undefined;
    try {
      network = networkMode
        ? await startNetworkNode({
            values,
            identity,
            storage: store,
            inFlight,
            zone,
            dataDir,
            listenAddress: address,
            out,
            err,
          })
        : undefined;
    } catch (e) {
      // A node that cannot join the network must not linger serving chunks: stop listening, then report.
      await scrubber.stop().catch(() => {});
      await app.close().catch(() => {});
      await compliance?.stop().catch(() => {});
      throw e;
    }
    if (network && !open) for (const k of network.coordinatorKeys) trusted.add(k);
    const compute = await startCompute(values, { outputs, privateOutputs }, jobLogs, identity, dataDir, err);
    const liveness = await startLiveness(values, identity, err);
    await untilSignal();
    await liveness?.stop();
    await compute?.stop();
    await (network ? network.stop() : Promise.resolve())
      .then(() => scrubber.stop())
      .then(() => app.close())
      .then(() => compliance?.stop())
      .catch(() => {});
    out("dsdn-node storage stopped");
    return 0;
  },
};
