/** @module `dsdnd testnet init`: N validator homes on one machine sharing one genesis (used by localnet/start.sh). */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultAppState } from "../../../app/buildApp.js";
import type { Command, CommandGroup } from "../../../common/cli.js";
import { toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { cometbftBinary } from "../../../common/paths.js";
import { buildGenesis, DENOM } from "../../../genesis/builder.js";
import { devAccount, devAccounts } from "../../../genesis/devAccounts.js";
import { ModuleAccount, moduleAddress } from "../../../modules/auth/moduleAccounts.js";
import { validateSubsidyParams } from "../../../modules/subsidy/params.js";
import { localNodeConfig, type NodePorts } from "../cometConfig.js";
import { appConfigPath, genesisPath } from "../home.js";

export interface TestnetNode {
  readonly name: string;
  readonly home: string;
  readonly nodeId: string;
  readonly ports: NodePorts;
  readonly rpcUrl: string;
}

export interface TestnetSpec {
  readonly output: string;
  readonly validators: number;
  readonly chainId: string;
  readonly basePort: number;
  readonly timeoutCommit: string;
  readonly minGasPrice: string;
  readonly devAccountCount?: number;
  /** unusa each dev account starts with. */
  readonly devBalance?: bigint;
  /** Downtime window in blocks (default 1000: stopping a validator for a while does not jail it). */
  readonly signedBlocksWindow?: bigint;
  /** How long a downtime-jailed validator stays jailed, block-time seconds (default 30). */
  readonly downtimeJailSeconds?: bigint;
  /** Compute challenge window base, block-time seconds (default 20; the max is 3×). */
  readonly computeWindowSeconds?: bigint;
  /** Fraud games' per-move deadline, block-time seconds (default 30). */
  readonly fraudMoveTimeoutSeconds?: bigint;
  /** The oracle's miss-penalty slash window, block-time seconds (default: the module's, one week). */
  readonly oracleSlashWindowSeconds?: bigint;
  /** Subsidy month and liveness challenge period/deadline, block-time seconds (default: the module's 30 d, 1 h, 10 min). */
  readonly subsidy?: SubsidyTiming;
  /** unusa the subsidy pool holds at genesis (default 0: unfunded; the pool only receives at genesis). */
  readonly subsidyPool?: bigint;
}

/** The subsidy's clock, shortened so a localnet settles a month within a test. */
export interface SubsidyTiming {
  readonly monthSeconds?: bigint;
  readonly challengePeriodSeconds?: bigint;
  readonly challengeDeadlineSeconds?: bigint;
}

/** Node i uses ports basePort + 10·i + {0: p2p, 1: rpc, 2: abci, 3: prometheus}. */
export function testnetPorts(basePort: number, i: number): NodePorts {
  const b = basePort + 10 * i;
  return { p2p: b, rpc: b + 1, abci: b + 2, prometheus: b + 3 };
}

/**
 * The genesis subsidy params with the asked timing over the module's defaults, validated by the module (a deadline
 * not shorter than the period is refused) before anything is written.
 */
function localnetSubsidyParams(timing: SubsidyTiming = {}): Record<string, string> {
  const params = { ...(defaultAppState() as { subsidy: { params: Record<string, string> } }).subsidy.params };
  for (const [k, v] of Object.entries(timing)) if (v !== undefined) params[k] = v.toString();
  try {
    validateSubsidyParams(params);
  } catch (e) {
    // A bad flag is the caller's mistake, shown as such (not as an internal error).
    throw new InvalidArgumentError((e as Error).message);
  }
  return params;
}

export function initTestnet(spec: TestnetSpec): { nodes: TestnetNode[]; accountsFile: string } {
  const subsidyParams = localnetSubsidyParams(spec.subsidy);
  const bin = cometbftBinary();
  mkdirSync(spec.output, { recursive: true });
  const nodes: TestnetNode[] = [];
  const pubKeys: string[] = [];
  for (let i = 0; i < spec.validators; i++) {
    const home = join(spec.output, `node${i}`);
    execFileSync(bin, ["init", "--home", home], { stdio: "pipe" });
    const nodeId = execFileSync(bin, ["show-node-id", "--home", home], { encoding: "utf8" }).trim();
    const pv = JSON.parse(readFileSync(join(home, "config", "priv_validator_key.json"), "utf8")) as {
      pub_key: { value: string };
    };
    pubKeys.push(pv.pub_key.value);
    const ports = testnetPorts(spec.basePort, i);
    nodes.push({ name: `node${i}`, home, nodeId, ports, rpcUrl: `http://127.0.0.1:${ports.rpc}` });
  }
  // The node-fault reporter named in slashing genesis (temporary, until the committee module lands), and the
  // governance foundation authority (one dev key on the localnet; a multisig account on mainnet).
  const accounts = [...devAccounts(spec.devAccountCount), devAccount("fault-authority"), devAccount("foundation")];
  const balance = spec.devBalance ?? 1_000_000_000_000n;
  // Each CometBFT genesis validator is also a stake validator with a matching bond (power 10 =
  // 10 NUSA), operated by dev account operator<i>; the bonded pool holds exactly those bonds.
  const selfBond = 10n * 1_000_000n;
  const genesis = buildGenesis({
    chainId: spec.chainId,
    genesisTime: new Date().toISOString(),
    validators: nodes.map((n, i) => ({ name: n.name, pubKeyBase64: pubKeys[i] as string, power: 10n })),
    // Validators report NUSA/USD in their precommits from the first block (oracle, Tahap 24.2).
    voteExtensionsEnableHeight: 1n,
    balances: [
      ...accounts.map((a) => ({ address: a.address, coins: [{ denom: DENOM, amount: balance.toString() }] })),
      {
        address: moduleAddress(ModuleAccount.BondedPool),
        coins: [{ denom: DENOM, amount: (selfBond * BigInt(nodes.length)).toString() }],
      },
      // bank refuses sends to module accounts, so a localnet that pays subsidies funds the pool here.
      ...(spec.subsidyPool
        ? [
            {
              address: moduleAddress(ModuleAccount.SubsidyPool),
              coins: [{ denom: DENOM, amount: spec.subsidyPool.toString() }],
            },
          ]
        : []),
    ],
    appState: localnetModuleState(
      nodes.map((n, i) => ({
        operator: devAccount(`operator${i}`).address,
        consensusPubkey: pubKeys[i] as string,
        moniker: n.name,
        tokens: selfBond.toString(),
      })),
      devAccount("fault-authority").address,
      devAccount("foundation").address,
      { window: spec.signedBlocksWindow ?? 1000n, jailSeconds: spec.downtimeJailSeconds ?? 30n },
      { computeWindow: spec.computeWindowSeconds ?? 20n, moveTimeout: spec.fraudMoveTimeoutSeconds ?? 30n },
      spec.oracleSlashWindowSeconds,
      subsidyParams,
    ),
  });
  for (const n of nodes) {
    writeFileSync(genesisPath(n.home), JSON.stringify(genesis, null, 2));
    const peers = nodes
      .filter((p) => p !== n)
      .map((p) => `${p.nodeId}@127.0.0.1:${p.ports.p2p}`)
      .join(",");
    const cfgPath = join(n.home, "config", "config.toml");
    const cfg = localNodeConfig(readFileSync(cfgPath, "utf8"), {
      moniker: n.name,
      ports: n.ports,
      peers,
      timeoutCommit: spec.timeoutCommit,
    });
    writeFileSync(cfgPath, cfg);
    writeFileSync(
      appConfigPath(n.home),
      JSON.stringify(
        { abci: `tcp://127.0.0.1:${n.ports.abci}`, minGasPrice: spec.minGasPrice, retainHeights: 100 },
        null,
        2,
      ),
    );
  }
  const accountsFile = join(spec.output, "accounts.json");
  writeFileSync(
    accountsFile,
    JSON.stringify(
      accounts.map((a) => ({ name: a.name, address: a.address, mnemonic: a.mnemonic, developmentOnly: true })),
      null,
      2,
    ),
  );
  writeFileSync(join(spec.output, "nodes.json"), JSON.stringify(nodes, null, 2));
  return { nodes, accountsFile };
}

/** Localnet stake/slashing/gov sections: genesis validators, short periods, a large downtime window. */
function localnetModuleState(
  validators: unknown[],
  faultAuthority: string,
  foundation: string,
  downtime: { window: bigint; jailSeconds: bigint },
  fraud: { computeWindow: bigint; moveTimeout: bigint },
  oracleSlashWindowSeconds: bigint | undefined,
  subsidyParams: Record<string, string>,
): Record<string, unknown> {
  const defaults = defaultAppState() as Record<string, Record<string, unknown>>;
  return {
    stake: {
      ...defaults.stake,
      // Genesis validators bond 10 NUSA, above this 1 NUSA minimum, so one downtime slash does not
      // leave them unable to unjail (there is no self-bond top-up message yet).
      params: { ...(defaults.stake?.params as object), minValidatorSelfBond: "1000000", unbondingPeriodSeconds: "60" },
      validators,
    },
    // Short oracle windows so the localnet's price follows its feeders within seconds (production: 15 min, 1 h).
    oracle: {
      ...defaults.oracle,
      // The miss-penalty slash window stays the module's (a week) unless a test asks for a short one.
      params: {
        ...(defaults.oracle?.params as object),
        windowSeconds: "5",
        staleSeconds: "30",
        ...(oracleSlashWindowSeconds ? { slashWindowSeconds: oracleSlashWindowSeconds.toString() } : {}),
      },
    },
    slashing: {
      ...defaults.slashing,
      // By default a 1000-block window so tests that stop a validator for a while do not get it jailed.
      params: {
        ...(defaults.slashing?.params as object),
        signedBlocksWindow: downtime.window.toString(),
        downtimeJailSeconds: downtime.jailSeconds.toString(),
        nodeCooldownSeconds: "30",
        faultAuthority,
      },
    },
    receipts: {
      ...defaults.receipts,
      // Compute challenge windows of seconds, so end-to-end tests claim (and challenge) quickly.
      params: {
        ...(defaults.receipts?.params as object),
        computeWindowBaseSeconds: fraud.computeWindow.toString(),
        computeWindowPerMbSeconds: "5",
        computeWindowMaxSeconds: (fraud.computeWindow * 3n).toString(),
      },
    },
    // Fraud games with seconds-long move deadlines, so a silent party loses within a test.
    fraud: {
      ...defaults.fraud,
      params: { ...(defaults.fraud?.params as object), moveTimeoutSeconds: fraud.moveTimeout.toString() },
    },
    subsidy: { ...defaults.subsidy, params: subsidyParams },
    // Bootstrap governance with seconds-long periods so a proposal's life fits in a test.
    gov: {
      ...defaults.gov,
      params: {
        ...(defaults.gov?.params as object),
        foundation,
        votingPeriodSeconds: "15",
        maxDepositPeriodSeconds: "60",
      },
    },
  };
}

const initCmd: Command = {
  summary: "create N validator homes with one shared genesis and funded dev accounts",
  usage:
    "--output DIR [--validators 4] [--chain-id ID] [--base-port 26600] [--timeout-commit 1s] [--signed-blocks-window 1000] [--downtime-jail-seconds 30] [--compute-window-seconds 20] [--fraud-move-timeout-seconds 30] [--oracle-slash-window-seconds S] [--subsidy-month-seconds S] [--subsidy-challenge-period-seconds S] [--subsidy-challenge-deadline-seconds S] [--subsidy-pool-unusa N]",
  options: {
    output: { type: "string" },
    validators: { type: "string", default: "4" },
    "chain-id": { type: "string", default: "nusantara-localnet-1" },
    "base-port": { type: "string", default: "26600" },
    "timeout-commit": { type: "string", default: "1s" },
    "min-gas-price": { type: "string", default: "0.025unusa" },
    "signed-blocks-window": { type: "string", default: "1000" },
    "downtime-jail-seconds": { type: "string", default: "30" },
    "compute-window-seconds": { type: "string", default: "20" },
    "fraud-move-timeout-seconds": { type: "string", default: "30" },
    "oracle-slash-window-seconds": { type: "string" },
    "subsidy-month-seconds": { type: "string" },
    "subsidy-challenge-period-seconds": { type: "string" },
    "subsidy-challenge-deadline-seconds": { type: "string" },
    "subsidy-pool-unusa": { type: "string" },
    o: { type: "string", default: "text" },
  },
  run({ values, out }) {
    if (!values.output) throw new InvalidArgumentError("--output DIR is required");
    const n = Number(values.validators);
    if (!Number.isInteger(n) || n < 1 || n > 50) throw new InvalidArgumentError("--validators must be 1..50");
    const window = String(values["signed-blocks-window"]);
    const jail = String(values["downtime-jail-seconds"]);
    if (!/^[1-9][0-9]{0,6}$/.test(window))
      throw new InvalidArgumentError("--signed-blocks-window must be 1..9999999 blocks");
    if (!/^[0-9]{1,9}$/.test(jail))
      throw new InvalidArgumentError("--downtime-jail-seconds must be a whole number of seconds");
    const computeWindow = String(values["compute-window-seconds"]);
    const moveTimeout = String(values["fraud-move-timeout-seconds"]);
    if (!/^[1-9][0-9]{0,5}$/.test(computeWindow))
      throw new InvalidArgumentError("--compute-window-seconds must be 1..999999");
    if (!/^[1-9][0-9]{0,5}$/.test(moveTimeout))
      throw new InvalidArgumentError("--fraud-move-timeout-seconds must be 1..999999");
    const slashWindow = values["oracle-slash-window-seconds"];
    if (slashWindow !== undefined && !/^[1-9][0-9]{0,7}$/.test(String(slashWindow)))
      throw new InvalidArgumentError(
        "--oracle-slash-window-seconds must be 5..99999999 (at least the 5 s price window)",
      );
    const secondsFlag = (name: string): bigint | undefined => {
      const v = values[name];
      if (v === undefined) return undefined;
      if (!/^[1-9][0-9]{0,8}$/.test(String(v)))
        throw new InvalidArgumentError(`--${name} must be 1..999999999 seconds`);
      return BigInt(String(v));
    };
    const subsidy: SubsidyTiming = {
      monthSeconds: secondsFlag("subsidy-month-seconds"),
      challengePeriodSeconds: secondsFlag("subsidy-challenge-period-seconds"),
      challengeDeadlineSeconds: secondsFlag("subsidy-challenge-deadline-seconds"),
    };
    const pool = values["subsidy-pool-unusa"];
    if (pool !== undefined && !/^[0-9]{1,18}$/.test(String(pool)))
      throw new InvalidArgumentError("--subsidy-pool-unusa must be 0..999999999999999999 unusa");
    const { nodes, accountsFile } = initTestnet({
      output: String(values.output),
      validators: n,
      chainId: String(values["chain-id"]),
      basePort: Number(values["base-port"]),
      timeoutCommit: String(values["timeout-commit"]),
      minGasPrice: String(values["min-gas-price"]),
      signedBlocksWindow: BigInt(window),
      downtimeJailSeconds: BigInt(jail),
      computeWindowSeconds: BigInt(computeWindow),
      fraudMoveTimeoutSeconds: BigInt(moveTimeout),
      ...(slashWindow !== undefined ? { oracleSlashWindowSeconds: BigInt(String(slashWindow)) } : {}),
      subsidy,
      ...(pool !== undefined ? { subsidyPool: BigInt(String(pool)) } : {}),
    });
    if (values.o === "json") out(toJson({ nodes, accountsFile }));
    else
      for (const node of nodes)
        out(`${node.name}\t${node.home}\trpc ${node.rpcUrl}\tabci tcp://127.0.0.1:${node.ports.abci}`);
    return 0;
  },
};

export const testnet: CommandGroup = {
  summary: "multi-validator test networks on one machine",
  commands: { init: async () => initCmd },
};
