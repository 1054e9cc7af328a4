/**
 * @module The `dsdn dev` network in one Node process: the chain app (ABCI socket) with ONE child, a 1-validator
 * CometBFT; the local DA server, REST API, coordinator, two storage nodes (which run jobs) and ingress in-process.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { createApp } from "../../app/buildApp.js";
import { startAbciServer } from "../../chain-app/abci/index.js";
import { ChainStore } from "../../chain-app/store/index.js";
import { type Command, runCommandInProcess, stopServicesInProcess } from "../../common/cli.js";
import { BaseError, ErrorCode } from "../../common/errors.js";
import { cometbftBinary } from "../../common/paths.js";
import { parseUsd } from "../../common/priceFile.js";
import { devAccount } from "../../genesis/devAccounts.js";
import { encodePriceVote } from "../../modules/oracle/index.js";
import { loadOrCreateCoordinatorKey } from "../../node-agent/coordinator/keyFile.js";
import { namespaceFromName } from "../../node-agent/da/commitment/index.js";
import { simulatedPrice } from "../../node-agent/oracle/priceFeeder.js";
import { bwrapAvailable } from "../../node-agent/runtime/microvm/bwrapVM.js";
import { loadOrCreateIdentity } from "../../node-agent/storage/identity.js";
import { NodeClass } from "../../proto/gen/dsdn/stake/v1/stake.js";
import { initTestnet, testnetPorts } from "../dsdnd/commands/testnet.js";
import { appDbPath, keyringFrom, loadAppConfig } from "../dsdnd/home.js";
import { keplrChainInfo } from "../rest/keplrChainInfo.js";
import { BECH32_PREFIX, connectSigningClient } from "../sdk/client.js";
import { registerNodeMsg } from "../sdk/nodes.js";
import { bondNodeMsg } from "../sdk/stake.js";

export const DEV_CHAIN_ID = "nusantara-localnet-1";
const GAS_PRICE = "0.025unusa";
/** Two nodes of two operators in two zones: a web_app's default two replicas fit, objects get two copies. */
const STORAGE_NODES = 2;
const ZONES = ["zone-a", "zone-b"];
/**
 * CometBFT's pause after each commit. Short on a 1-validator dev chain: each tx (the nodes' bond + registration at a
 * fresh start, every `dsdn` upload and claim) waits for a block; block-time durations (challenge windows) are unchanged.
 */
const TIMEOUT_COMMIT = "300ms";
const WAIT_MS = 120_000;

export interface DevNetworkOptions {
  readonly dir: string;
  /** Ports basePort..basePort+99 (the localnet's layout for validator 0 and the services). */
  readonly basePort: number;
  /** Service log lines (the dev log file). */
  readonly log: (line: string) => void;
  /** Progress lines for the person waiting. */
  readonly progress: (line: string) => void;
}

export interface DevNetwork {
  /** The env file's variables (RPC_URL, REST_URL, DSDN_COORDINATOR_URL, DSDN_CONFIG, …). */
  readonly env: Readonly<Record<string, string>>;
  readonly envFile: string;
  readonly chainInfoFile: string;
  /** Rejects when a part of the network stops on its own (CometBFT exits, a service fails). */
  readonly failed: Promise<never>;
  /** Stops the services, then CometBFT, then the chain app; state stays in the directory. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value, failing after WAIT_MS or as soon as `failed` rejects. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, failed: Promise<never>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  let lost: unknown;
  failed.catch((e) => {
    lost = e;
  });
  while (Date.now() < deadline) {
    if (lost) throw lost;
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await sleep(100);
  }
  throw new BaseError(ErrorCode.Unavailable, `the development network did not start: no ${what} after ${WAIT_MS} ms`);
}

async function json(url: string): Promise<any> {
  const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return r.ok ? r.json() : undefined;
}

/** The CometBFT command line: under `setpriv --pdeathsig` when present, so it also dies if this process is killed. */
function cometbftArgv(home: string): [string, string[]] {
  const args = ["start", "--home", home];
  return existsSync("/usr/bin/setpriv")
    ? ["/usr/bin/setpriv", ["--pdeathsig", "SIGTERM", "--", cometbftBinary(), ...args]]
    : [cometbftBinary(), args];
}

/** One service command run in this process; resolves once its output shows `ready`. */
interface Service {
  readonly name: string;
  readonly done: Promise<number>;
}

export async function startDevNetwork(o: DevNetworkOptions): Promise<DevNetwork> {
  const { dir, basePort: base, log, progress } = o;
  const t0 = performance.now();
  const step = (what: string) => progress(`  ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s  ${what}`);
  mkdirSync(join(dir, "logs"), { recursive: true });
  const chainDir = join(dir, "chain");
  const home = join(chainDir, "node0");
  const ports = testnetPorts(base, 0);
  const rpc = `http://127.0.0.1:${ports.rpc}`;
  const port = { rest: base + 4, da: base + 90, coordinator: base + 91, ingress: base + 92, storage: base + 93 };
  const url = (p: number) => `http://127.0.0.1:${p}`;

  // 1. Genesis and the validator's home, once (the same code as `dsdnd testnet init`); later starts resume.
  if (!existsSync(join(chainDir, "nodes.json"))) {
    initTestnet({
      output: chainDir,
      validators: 1,
      chainId: DEV_CHAIN_ID,
      basePort: base,
      timeoutCommit: TIMEOUT_COMMIT,
      minGasPrice: GAS_PRICE,
    });
    copyFileSync(join(chainDir, "accounts.json"), join(dir, "accounts.json"));
    step("genesis written (funded development-only accounts in accounts.json)");
  }

  // The services read these (and only these) from the environment: nothing from a network the shell had sourced.
  for (const k of Object.keys(process.env)) if (k.startsWith("DA_") || k === "DSDN_MICROVM") delete process.env[k];
  const namespace = Buffer.from(namespaceFromName("dsdn-localnet")).toString("hex");
  Object.assign(process.env, { CHAIN_ID: DEV_CHAIN_ID, RPC_URL: rpc, GAS_PRICE, DA_NAMESPACE: namespace });

  let failure: (e: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    failure = reject;
  });
  failed.catch(() => {});
  let stopping = false;
  const services: Service[] = [];

  /** Starts a command in-process; resolves when a line of its output matches `ready`. */
  const service = (name: string, cmd: Command, argv: string[], ready: RegExp): Promise<void> =>
    new Promise((resolve, reject) => {
      const line = (l: string) => {
        log(`[${name}] ${l}`);
        if (ready.test(l)) resolve();
      };
      const done = runCommandInProcess(cmd, argv, { out: line, err: line });
      services.push({ name, done });
      done.then(
        (code) => {
          const e = new BaseError(ErrorCode.Unavailable, `${name} stopped (exit ${code})`);
          reject(e);
          if (!stopping) failure(e);
        },
        (e: unknown) => {
          log(`[${name}] failed: ${(e as Error).stack ?? String(e)}`);
          const err = new BaseError(ErrorCode.Unavailable, `${name} failed: ${(e as Error).message}`, { cause: e });
          reject(err);
          if (!stopping) failure(err);
        },
      );
    });

  // 2. The chain app on its ABCI socket, then its one child: CometBFT (its output in logs/cometbft.log).
  const cfg = loadAppConfig(home);
  const store = ChainStore.open(appDbPath(home), { retainHeights: cfg.retainHeights });
  // The validator's NUSA/USD reports (oracle vote extensions): the localnet price feeder's simulated feed.
  const feed = { baseNanoUsd: parseUsd("0.05"), amplitudePpm: 50_000n, periodSeconds: 600n };
  const app = createApp(store, {
    minGasPrice: cfg.minGasPrice,
    voteExtension: () => encodePriceVote(simulatedPrice(feed, BigInt(Math.floor(Date.now() / 1000)))),
  });
  const abci = await startAbciServer(app, { listen: cfg.abci });
  const cometLog = openSync(join(dir, "logs", "cometbft.log"), "a");
  const [bin, args] = cometbftArgv(home);
  // Its own process group: Ctrl-C reaches this process only, which stops CometBFT after the services.
  const comet: ChildProcess = spawn(bin, args, { stdio: ["ignore", cometLog, cometLog], detached: true });
  const cometExited = new Promise<void>((r) => comet.once("exit", () => r()));
  comet.once("exit", (code, signal) => {
    if (!stopping)
      failure(new BaseError(ErrorCode.Unavailable, `CometBFT exited (${signal ?? code}); see logs/cometbft.log`));
  });
  comet.once("error", (e) => failure(e));

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    stopServicesInProcess();
    await Promise.allSettled(services.map((s) => s.done));
    if (comet.exitCode === null && comet.signalCode === null) {
      comet.kill("SIGTERM");
      const killer = setTimeout(() => comet.kill("SIGKILL"), 10_000);
      await cometExited;
      clearTimeout(killer);
    }
    await abci.close();
    store.close();
  };

  try {
    // 3. The local DA server and the REST API start while CometBFT makes its first block.
    const { daCommand } = await import("../../node-agent/cli/da.js");
    const da = service(
      "da",
      daCommand,
      ["--data", join(dir, "da"), "--port", String(port.da), "--block-time-ms", "500"],
      /local DA ready/,
    );
    const { rest } = await import("../dsdnd/commands/rest.js");
    const restServe = (await rest.commands.serve!()) as Command;
    const restUp = service(
      "rest",
      restServe,
      ["--node", rpc, "--listen", `127.0.0.1:${port.rest}`],
      /serving the Cosmos REST API/,
    );
    const height = await until(
      "first block",
      async () => {
        const h = Number((await json(`${rpc}/status`))?.result?.sync_info?.latest_block_height ?? 0);
        return h >= 1 ? h : undefined;
      },
      failed,
    );
    step(`chain at height ${height} (CometBFT pid ${comet.pid})`);
    await Promise.all([da, restUp]);
    const chainInfoFile = join(dir, "keplr-chain.json");
    writeFileSync(
      chainInfoFile,
      `${JSON.stringify(keplrChainInfo({ chainId: DEV_CHAIN_ID, chainName: "Chain Nusantara dev", rpc, rest: url(port.rest), minGasPrice: GAS_PRICE }), null, 2)}\n`,
    );
    step("DA and REST API up");

    // 4. The storage nodes' operators bond and register them on chain (once; one tx each, in parallel).
    const storageDirs = Array.from({ length: STORAGE_NODES }, (_, n) => join(dir, "storage", String(n)));
    const fingerprints = await Promise.all(
      storageDirs.map((sdir, n) => registerStorageNode(sdir, n, rpc, url(port.storage + n))),
    );
    step("storage nodes bonded and registered on chain");

    // 5. The coordinator (DA write token), then the storage nodes and the ingress (read token).
    const coordDir = join(dir, "coordinator");
    const coordKey = (await loadOrCreateCoordinatorKey(coordDir)).nodeId;
    process.env.DSDN_COORDINATOR_KEYS = coordKey;
    process.env.INGRESS_URL = url(port.ingress);
    const faultKeyring = join(coordDir, "keyring");
    if (!existsSync(join(faultKeyring, "fault-authority.json")))
      await keyringFrom({ "keyring-dir": faultKeyring, "keyring-backend": "test" }).add(
        "fault-authority",
        devAccount("fault-authority").mnemonic,
      );
    const { coordinatorCommand } = await import("../../node-agent/cli/coordinator.js");
    const coordRun = (await coordinatorCommand.commands.run!()) as Command;
    const coordUrl = url(port.coordinator);
    // The localnet's flags (short health and reconcile intervals; loopback endpoints admitted), replication 2.
    await service(
      "coordinator",
      coordRun,
      [
        ...[
          "--data",
          coordDir,
          "--da",
          url(port.da),
          "--token-file",
          join(dir, "da", "write.token"),
          "--port",
          String(port.coordinator),
        ],
        ...["--rpc", rpc, "--health-interval-ms", "500", "--dead-after-ms", "3000", "--reconcile-ms", "500"],
        ...["--challenge-ms", "5000", "--fault-keyring-dir", faultKeyring, "--fault-key", "fault-authority"],
        ...["--localnet", "--rf", String(STORAGE_NODES)],
      ],
      /coordinator listening on/,
    );
    step("coordinator up");
    const { storage } = await import("../../node-agent/cli/storage.js");
    const { ingressCommand } = await import("../../node-agent/cli/ingress.js");
    const microvm = typeof bwrapAvailable() === "string" ? "none" : "bwrap";
    await Promise.all([
      ...storageDirs.map(async (sdir, n) =>
        service(
          `storage-${n}`,
          storage,
          [
            ...[
              "--data",
              sdir,
              "--da",
              url(port.da),
              "--token-file",
              join(dir, "da", "read.token"),
              "--port",
              String(port.storage + n),
            ],
            ...["--zone", ZONES[n]!, "--coordinator-url", coordUrl, "--coordinator-key", coordKey],
            ...["--operator", devAccount(`storage${n}`).address, "--tls-fingerprint", fingerprints[n]!],
            ...["--capacity", "1024GiB", "--heal-interval-ms", "500", "--gc-grace-ms", "60000"],
            ...["--compute-objects-url", url(port.ingress), "--chain-id", DEV_CHAIN_ID, "--rpc", rpc],
            ...["--operator-mnemonic-file", join(sdir, "operator.mnemonic"), "--microvm", microvm],
          ],
          /storage listening on/,
        ),
      ),
      service(
        "ingress",
        ingressCommand,
        [
          ...["--port", String(port.ingress), "--zone", "zone-a", "--coordinator", coordKey],
          ...["--da", url(port.da), "--token-file", join(dir, "da", "read.token"), "--rpc", rpc],
          ...["--audit-log", join(dir, "logs", "ingress-audit.log")],
        ],
        /ingress listening on/,
      ),
    ]);
    step(`storage nodes (MicroVM ${microvm}) and ingress up`);

    // 6. The env file and the dsdn config, then wait until the coordinator admitted every node.
    mkdirSync(join(dir, "dsdn"), { recursive: true });
    const config = join(dir, "dsdn", "config.json");
    writeFileSync(config, `${JSON.stringify({ coordinator: coordUrl, ingress: url(port.ingress), localnet: dir })}\n`);
    const env: Record<string, string> = {
      CHAIN_ID: DEV_CHAIN_ID,
      RPC_URL: rpc,
      RPC_URLS: rpc,
      REST_URL: url(port.rest),
      KEPLR_CHAIN_INFO: chainInfoFile,
      DENOM: "unusa",
      BECH32_PREFIX,
      GAS_PRICE,
      DSDND_KEYRING_BACKEND: "test",
      DA_RPC_URL: url(port.da),
      DA_AUTH_TOKEN_FILE: join(dir, "da", "read.token"),
      DA_WRITE_TOKEN_FILE: join(dir, "da", "write.token"),
      DA_NAMESPACE: namespace,
      DSDN_COORDINATOR_URL: coordUrl,
      DSDN_COORDINATOR_KEYS: coordKey,
      INGRESS_URL: url(port.ingress),
      STORAGE_NODE_URLS: storageDirs.map((_, n) => url(port.storage + n)).join(","),
      DSDN_CONFIG: config,
      IPFS_GATEWAY_URL: `${url(port.ingress)}/ipfs`,
    };
    const envFile = join(dir, "env");
    rmSync(envFile, { force: true });
    writeFileSync(
      envFile,
      [
        `# DSDN dev network — development only. source this file: . ${envFile}`,
        "# The dev accounts' mnemonics are public: their keys live in the plain-text test keyring backend.",
        ...Object.entries(env).map(([k, v]) => `export ${k}=${v}`),
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
    await until(
      "Active storage nodes",
      async () => {
        const nodes = (await json(`${coordUrl}/nodes`))?.nodes as { status: string }[] | undefined;
        const active = nodes?.filter((n) => n.status === "active").length ?? 0;
        return active >= STORAGE_NODES && (await fetch(`${url(port.ingress)}/health`)).ok ? true : undefined;
      },
      failed,
    );
    step("storage nodes Active");
    return { env, envFile, chainInfoFile, failed, stop };
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
}

/**
 * Bonds and registers storage node n (operator: dev account storage<n>) in one tx, once (marker file
 * <node dir>/chain-registered); writes the operator's mnemonic file (0600) its fraud defender and liveness answers
 * sign with. Returns the node's pinned TLS fingerprint: plain-HTTP dev endpoints have no certificate, so, as on the
 * localnet, it is a stand-in derived from the node key.
 */
async function registerStorageNode(sdir: string, n: number, rpc: string, endpoint: string): Promise<string> {
  mkdirSync(sdir, { recursive: true });
  const identity = await loadOrCreateIdentity(sdir);
  const fingerprint = bytesToHex(sha256(new TextEncoder().encode(`dsdn-localnet-no-tls:${identity.nodeId}`)));
  const operator = devAccount(`storage${n}`);
  const mnemonicFile = join(sdir, "operator.mnemonic");
  if (!existsSync(mnemonicFile)) writeFileSync(mnemonicFile, operator.mnemonic, { mode: 0o600 });
  const marker = join(sdir, "chain-registered");
  if (existsSync(marker)) return fingerprint;
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(operator.mnemonic, { prefix: BECH32_PREFIX });
  const { client } = await connectSigningClient(rpc, wallet, { gasPrice: GAS_PRICE });
  try {
    const r = await client.signAndBroadcast(
      operator.address,
      [
        bondNodeMsg({ signer: operator.address, class: NodeClass.NODE_CLASS_REGULAR, amount: 1_000_000_000n }),
        registerNodeMsg({
          chainId: DEV_CHAIN_ID,
          operator: operator.address,
          nodeSecretKey: identity.secretKey,
          tlsCertFingerprint: hexToBytes(fingerprint),
          zone: ZONES[n]!,
          class: NodeClass.NODE_CLASS_REGULAR,
          capacityBytes: 1n << 40n,
          endpoint,
        }),
      ],
      1.6,
    );
    if (r.code !== 0)
      throw new BaseError(ErrorCode.Unavailable, `storage node ${n}: bond and register refused (code ${r.code})`, {
        details: r.rawLog,
      });
  } finally {
    client.disconnect();
  }
  writeFileSync(marker, "");
  return fingerprint;
}
