/**
 * @module End to end on a real 4-validator localnet: a 5th validator created by MsgCreateValidator
 * signs blocks; a storage node bonds and registers through the dsdnd CLI; queries via `-o json`;
 * a node fault reported by the genesis authority quarantines the node.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { QueryClient } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localNodeConfig } from "../../clients/dsdnd/cometConfig.js";
import { testnetPorts } from "../../clients/dsdnd/commands/testnet.js";
import { checkNodeAdmission, setupNodesExtension } from "../../clients/sdk/nodes.js";
import { setupSlashingExtension } from "../../clients/sdk/slashing.js";
import { setupStakeExtension } from "../../clients/sdk/stake.js";
import { fromHex } from "../../common/hash.js";
import { cometbftBinary, projectRoot } from "../../common/paths.js";
import { loadOrCreateIdentity } from "../../node-agent/storage/identity.js";
import { addDevKeys } from "../support/devKeys.js";
import { type Localnet, latestHeight, rpc, startLocalnet, waitFor } from "../support/localnet.js";

const run = promisify(execFile);
const root = projectRoot();
const dsdnd = join(root, "bin", "dsdnd.js");

let net: Localnet;
let rpc0: string;
let keyringDir: string;
const children: ChildProcess[] = [];

async function cli(...args: string[]): Promise<string> {
  const { stdout } = await run("node", [dsdnd, ...args], { cwd: root, maxBuffer: 1 << 22 });
  return stdout.trim();
}
const cliJson = async (...args: string[]) => JSON.parse(await cli(...args, "--node", rpc0, "-o", "json"));
const tx = (...args: string[]) => cliJson("tx", ...args, "--keyring-dir", keyringDir, "--keyring-backend", "test");
const account = (name: string) => {
  const a = net.accounts.find((x) => x.name === name);
  if (!a) throw new Error(`no dev account ${name}`);
  return a;
};

beforeAll(async () => {
  net = await startLocalnet({ validators: 4 });
  rpc0 = net.rpcUrls[0] as string;
  keyringDir = join(net.dir, "e2e-keyring");
  await addDevKeys(net, keyringDir, ["alice", "bob", "fault-authority"]);
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : undefined)));
  await net?.stop();
});

describe("stake on a real localnet", () => {
  it("a validator created by a transaction joins the set and signs blocks", async () => {
    // A 5th node: its own CometBFT home with the network's genesis, peered with the 4 validators.
    const home = join(net.dir, "chain", "node4");
    const bin = cometbftBinary();
    execFileSync(bin, ["init", "--home", home], { stdio: "pipe" });
    const nodes = JSON.parse(readFileSync(join(net.dir, "chain", "nodes.json"), "utf8")) as {
      nodeId: string;
      ports: { p2p: number };
    }[];
    writeFileSync(
      join(home, "config", "genesis.json"),
      readFileSync(join(net.dir, "chain", "node0", "config", "genesis.json")),
    );
    const ports = testnetPorts(net.basePort, 4);
    const cfgPath = join(home, "config", "config.toml");
    writeFileSync(
      cfgPath,
      localNodeConfig(readFileSync(cfgPath, "utf8"), {
        moniker: "node4",
        ports,
        peers: nodes.map((n) => `${n.nodeId}@127.0.0.1:${n.ports.p2p}`).join(","),
        timeoutCommit: "500ms",
      }),
    );
    writeFileSync(
      join(home, "config", "app.json"),
      JSON.stringify({ abci: `tcp://127.0.0.1:${ports.abci}`, minGasPrice: "0.025unusa", retainHeights: 100 }),
    );
    mkdirSync(join(net.dir, "logs"), { recursive: true });
    const log = (n: string) => openSync(join(net.dir, "logs", n), "a");
    children.push(
      spawn("node", [dsdnd, "start", "--home", home], {
        cwd: root,
        stdio: ["ignore", log("dsdnd-4.log"), log("dsdnd-4.log")],
      }),
    );
    await new Promise((r) => setTimeout(r, 1000));
    children.push(
      spawn(bin, ["start", "--home", home], { stdio: ["ignore", log("cometbft-4.log"), log("cometbft-4.log")] }),
    );
    const rpc4 = `http://127.0.0.1:${ports.rpc}`;
    const target = await latestHeight(rpc0);
    await waitFor(async () => (await latestHeight(rpc4)) >= target, 60_000, "node4 to catch up");

    const pv = JSON.parse(readFileSync(join(home, "config", "priv_validator_key.json"), "utf8")) as {
      address: string;
    };
    const created = await tx(
      "stake",
      "create-validator",
      "alice",
      "--amount",
      "20000000unusa",
      "--priv-validator-key",
      join(home, "config", "priv_validator_key.json"),
      "--moniker",
      "node4",
    );
    expect(created.code).toBe(0);
    const v = await cliJson("query", "stake", "validator", pv.address);
    expect(v).toMatchObject({ operator: account("alice").address, consensusAddress: pv.address, tokens: "20000000" });

    // CometBFT applies the update two blocks later; then node4's signature appears in commits.
    const inSet = await waitFor(
      async () => {
        const r = await rpc(rpc0, "validators", { per_page: "100" });
        return r.validators.find((x: { address: string }) => x.address === pv.address);
      },
      30_000,
      "node4 in /validators",
    );
    expect(inSet.voting_power).toBe("20");
    const joined = await latestHeight(rpc0);
    const signedAt = await waitFor(
      async () => {
        const h = await latestHeight(rpc0);
        for (let height = joined; height <= h; height++) {
          const c = await rpc(rpc0, "commit", { height: String(height) });
          const sigs = c.signed_header.commit.signatures as { validator_address: string; block_id_flag: number }[];
          if (sigs.some((s) => s.validator_address === pv.address && s.block_id_flag === 2)) return height;
        }
        return undefined;
      },
      30_000,
      "a commit signed by node4",
    );
    expect(signedAt).toBeGreaterThanOrEqual(joined);
    const list = await cliJson("query", "stake", "validators");
    expect(list.validators.map((x: { consensusAddress: string }) => x.consensusAddress)).toContain(pv.address);
  });

  it("a storage node bonds and registers through the CLI; a fault quarantines it", async () => {
    const bob = account("bob").address;
    const nodeDir = join(net.dir, "storage-bob");
    const identity = await loadOrCreateIdentity(nodeDir);
    const keyFile = join(nodeDir, "node-key.json");
    const register = () =>
      tx(
        "nodes",
        "register",
        "bob",
        "--node-key",
        keyFile,
        "--tls-fingerprint",
        "ab".repeat(32),
        "--zone",
        "id-jkt-1",
        "--class",
        "regular",
        "--capacity",
        "1099511627776",
        "--endpoint",
        "https://127.0.0.1:9443",
      );

    // No stake: refused by the chain (CheckTx), nothing registered.
    await expect(register()).rejects.toThrow(/no node stake/);
    expect((await cliJson("query", "nodes", "get-node-class", bob)).registered).toBe(false);

    expect((await tx("stake", "bond-node", "bob", "regular", "400000000unusa")).code).toBe(0);
    expect((await register()).code).toBe(0);
    let nc = await cliJson("query", "nodes", "get-node-class", bob);
    expect(nc).toMatchObject({ class: "NODE_CLASS_REGULAR", registered: true });
    expect(nc.node).toMatchObject({
      nodeId: identity.nodeId,
      status: "NODE_STATUS_QUARANTINED",
      statusReason: "insufficient_stake",
    });

    expect((await tx("stake", "bond-node", "bob", "regular", "200000000unusa")).code).toBe(0);
    nc = await cliJson("query", "nodes", "get-node-class", bob);
    expect(nc.node.status).toBe("NODE_STATUS_ACTIVE");
    const st = await cliJson("query", "stake", "get-stake", bob);
    expect(st).toMatchObject({
      nodeStake: "600000000",
      nodeClass: "NODE_CLASS_REGULAR",
      meetsNodeMinimum: true,
      stakeWeight: "263034",
    });

    // The coordinator's admission check through CosmJS.
    const comet = await connectComet(rpc0);
    const q = QueryClient.withExtensions(comet, setupStakeExtension, setupNodesExtension, setupSlashingExtension);
    const claim = { nodeId: fromHex(identity.nodeId), operator: bob, tlsCertFingerprint: fromHex("ab".repeat(32)) };
    expect(await checkNodeAdmission(q, claim)).toEqual({ admitted: true, refusals: [] });
    expect((await checkNodeAdmission(q, { ...claim, tlsCertFingerprint: fromHex("cd".repeat(32)) })).refusals).toEqual([
      "tls_fingerprint_mismatch",
    ]);
    expect((await checkNodeAdmission(q, { ...claim, operator: account("alice").address })).refusals).toEqual([
      "operator_mismatch",
    ]);
    expect((await checkNodeAdmission(q, { ...claim, nodeId: fromHex("01".repeat(32)) })).refusals).toEqual([
      "not_registered",
    ]);

    // Only the genesis fault authority may report; then 0.5% goes to the treasury and a cooldown starts.
    await expect(
      tx("slashing", "report-node-fault", "alice", identity.nodeId, "liveness", "--evidence", "probe-miss-1"),
    ).rejects.toThrow(/fault authority/);
    const rep = await tx(
      "slashing",
      "report-node-fault",
      "fault-authority",
      identity.nodeId,
      "liveness",
      "--evidence",
      "probe-miss-1",
    );
    expect(rep.code).toBe(0);
    const ss = await cliJson("query", "slashing", "get-slashing-status", bob);
    expect(ss).toMatchObject({ inCooldown: true, banned: false, jailed: false, totalSlashed: "3000000" });
    expect(ss.offences.map((o: { kind: string }) => o.kind)).toEqual(["liveness"]);
    expect((await cliJson("query", "stake", "get-stake", bob)).nodeStake).toBe("597000000");
    nc = await cliJson("query", "nodes", "get-node-class", bob);
    expect(nc.node).toMatchObject({ status: "NODE_STATUS_QUARANTINED", statusReason: "cooldown" });
    expect(await checkNodeAdmission(q, claim)).toEqual({ admitted: false, refusals: ["cooldown", "not_active"] });
    comet.disconnect();

    // Unbonding through the CLI shows up as maturing stake.
    expect((await tx("stake", "unbond", "bob", "node", "97000000unusa")).code).toBe(0);
    const after = await cliJson("query", "stake", "get-stake", bob);
    expect(after).toMatchObject({ nodeStake: "500000000", unbonding: "97000000" });
    expect(after.unbondings).toHaveLength(1);
  });
});
