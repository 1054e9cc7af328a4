/** @module A Cosmos SDK `simd` network on this machine for the side-by-side benchmark: one cometbft + one `simd start --with-comet=false` per validator over the ABCI socket, with the DSDN localnet's CometBFT settings. */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { localNodeConfig, setToml } from "../../../clients/dsdnd/cometConfig.js";
import { freePortBlock, latestHeight, waitFor } from "../../../test/support/localnet.js";

const here = dirname(fileURLToPath(import.meta.url));
/** Source tree root (this file runs from dist-tools/bench/peers/simd). */
const root = join(here, "..", "..", "..", "..");

export const SIMD_DENOM = "stake";
export const SIMD_PREFIX = "cosmos";

/** Builds simd (cached in the git-ignored bench/peers/simd/.build) and returns its path. */
export function buildSimd(): string {
  const out = execFileSync("bash", [join(root, "bench/peers/simd/build.sh")], {
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 24,
  });
  return out.toString().trim().split("\n").pop() as string;
}

export interface SimdNet {
  readonly rpcUrls: string[];
  readonly chainId: string;
  pid(role: "cometbft" | "simd", i: number): number;
  stop(): Promise<void>;
}

/**
 * Starts `validators` simd validators; `funded` addresses (bech32 "cosmos") get `balance` stake in genesis.
 * Consensus settings come from the same localNodeConfig the DSDN localnet uses.
 */
export async function startSimdNet(o: {
  simd: string;
  validators: number;
  timeoutCommit: string;
  funded: string[];
  balance: bigint;
  minGasPrice: string;
}): Promise<SimdNet> {
  const cometbft = join(root, ".tools", "cometbft", "bin", "cometbft");
  const dir = mkdtempSync(join(tmpdir(), "simd-net-"));
  const base = await freePortBlock();
  const chainId = "simd-bench-1";
  const sh = (cmd: string, args: string[]) =>
    execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 24 }).toString();
  const nodes = Array.from({ length: o.validators }, (_, i) => ({
    name: `node${i}`,
    comet: join(dir, `comet${i}`),
    app: join(dir, `simd${i}`),
    ports: { p2p: base + 10 * i, rpc: base + 10 * i + 1, abci: base + 10 * i + 2, prometheus: base + 10 * i + 3 },
    nodeId: "",
    address: "",
  }));
  for (const n of nodes) {
    sh(cometbft, ["init", "--home", n.comet]);
    n.nodeId = sh(cometbft, ["show-node-id", "--home", n.comet]).trim();
    sh(o.simd, ["init", n.name, "--chain-id", chainId, "--home", n.app]);
    // The validator's consensus key is the one its CometBFT signs with.
    writeFileSync(
      join(n.app, "config", "priv_validator_key.json"),
      readFileSync(join(n.comet, "config", "priv_validator_key.json")),
    );
    const key = JSON.parse(
      sh(o.simd, ["keys", "add", "val", "--keyring-backend", "test", "--output", "json", "--home", n.app]),
    );
    n.address = key.address;
    let appToml = readFileSync(join(n.app, "config", "app.toml"), "utf8");
    appToml = setToml(appToml, "", "minimum-gas-prices", JSON.stringify(o.minGasPrice));
    appToml = setToml(appToml, "grpc", "enable", "false");
    appToml = setToml(appToml, "api", "enable", "false");
    writeFileSync(join(n.app, "config", "app.toml"), appToml);
  }
  // Genesis: validators' accounts through the CLI, the load's senders written in directly (200 CLI calls are slow).
  const g0 = nodes[0]!;
  for (const n of nodes)
    sh(o.simd, ["genesis", "add-genesis-account", n.address, `1000000000000${SIMD_DENOM}`, "--home", g0.app]);
  const gPath = join(g0.app, "config", "genesis.json");
  const genesis = JSON.parse(readFileSync(gPath, "utf8"));
  const bank = genesis.app_state.bank;
  for (const addr of o.funded) {
    genesis.app_state.auth.accounts.push({
      "@type": "/cosmos.auth.v1beta1.BaseAccount",
      address: addr,
      pub_key: null,
      account_number: "0",
      sequence: "0",
    });
    bank.balances.push({ address: addr, coins: [{ denom: SIMD_DENOM, amount: o.balance.toString() }] });
  }
  const supply = bank.balances.reduce((s: bigint, b: any) => s + BigInt(b.coins[0].amount), 0n);
  bank.supply = [{ denom: SIMD_DENOM, amount: supply.toString() }];
  writeFileSync(gPath, JSON.stringify(genesis));
  const gentxDir = join(dir, "gentx");
  mkdirSync(gentxDir);
  for (const n of nodes) {
    if (n !== g0) writeFileSync(join(n.app, "config", "genesis.json"), readFileSync(gPath));
    sh(o.simd, [
      "genesis",
      "gentx",
      "val",
      `10000000${SIMD_DENOM}`,
      "--chain-id",
      chainId,
      "--keyring-backend",
      "test",
      "--home",
      n.app,
      "--output-document",
      join(gentxDir, `${n.name}.json`),
    ]);
  }
  sh(o.simd, ["genesis", "collect-gentxs", "--gentx-dir", gentxDir, "--home", g0.app]);
  const appGenesis = JSON.parse(readFileSync(gPath, "utf8"));
  // CometBFT reads its own genesis shape; the SDK's AppGenesis nests consensus params under "consensus".
  const cometGenesis = {
    genesis_time: appGenesis.genesis_time,
    chain_id: chainId,
    initial_height: String(appGenesis.initial_height ?? 1),
    consensus_params: appGenesis.consensus?.params,
    validators: [],
    app_hash: "",
    app_state: appGenesis.app_state,
  };
  for (const n of nodes) {
    writeFileSync(join(n.app, "config", "genesis.json"), readFileSync(gPath));
    writeFileSync(join(n.comet, "config", "genesis.json"), JSON.stringify(cometGenesis));
    const peers = nodes
      .filter((p) => p !== n)
      .map((p) => `${p.nodeId}@127.0.0.1:${p.ports.p2p}`)
      .join(",");
    const cfgPath = join(n.comet, "config", "config.toml");
    writeFileSync(
      cfgPath,
      localNodeConfig(readFileSync(cfgPath, "utf8"), {
        moniker: n.name,
        ports: n.ports,
        peers,
        timeoutCommit: o.timeoutCommit,
      }),
    );
  }
  const procs: { role: "cometbft" | "simd"; i: number; pid: number; kill: () => void }[] = [];
  const start = (role: "cometbft" | "simd", i: number, cmd: string, args: string[]) => {
    const log = join(dir, `${role}-${i}.log`);
    const p = spawn(cmd, args, { stdio: ["ignore", "ignore", "ignore"], detached: false });
    writeFileSync(log, `${cmd} ${args.join(" ")}\n`);
    procs.push({ role, i, pid: p.pid as number, kill: () => p.kill("SIGTERM") });
    return p;
  };
  for (const [i, n] of nodes.entries())
    start("simd", i, o.simd, [
      "start",
      "--home",
      n.app,
      "--with-comet=false",
      "--transport",
      "socket",
      "--address",
      `tcp://127.0.0.1:${n.ports.abci}`,
      "--log_level",
      "error",
    ]);
  await new Promise((r) => setTimeout(r, 2000));
  for (const [i, n] of nodes.entries()) start("cometbft", i, cometbft, ["start", "--home", n.comet]);
  const rpcUrls = nodes.map((n) => `http://127.0.0.1:${n.ports.rpc}`);
  await waitFor(
    async () => (await latestHeight(rpcUrls[0]!).catch(() => 0)) >= 2,
    120_000,
    "simd chain to reach height 2",
  );
  return {
    rpcUrls,
    chainId,
    pid: (role, i) => procs.find((p) => p.role === role && p.i === i)!.pid,
    async stop() {
      for (const p of procs) p.kill();
      await new Promise((r) => setTimeout(r, 1500));
      if (!process.env.DSDN_KEEP_LOCALNET) rmSync(dir, { recursive: true, force: true });
    },
  };
}
