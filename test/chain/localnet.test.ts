/**
 * End-to-end: a real 4-validator localnet (4 cometbft + 4 dsdnd processes) driven by unmodified
 * CosmJS. Started with the same localnet/start.sh a user runs.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient, StargateClient } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyProof } from "../../chain-app/store/proof.js";
import { dsdnRegistry } from "../../clients/sdk/registry.js";
import { verifiedRawKey } from "../../clients/sdk/verifiedQuery.js";
import { fromHex, toHex } from "../../common/hash.js";
import { keyFromMnemonic } from "../../common/mnemonic.js";
import { cometbftBinary, projectRoot } from "../../common/paths.js";
import { toBech32Address } from "../../common/secp256k1.js";
import { type Localnet, latestHeight, rpc, startLocalnet, waitFor } from "../support/localnet.js";
import { buildTx, buildTxParts, encodeTx, sendMsg } from "../support/txBuilder.js";

let net: Localnet;
let rpc0: string;

beforeAll(async () => {
  net = await startLocalnet({ validators: 4, timeoutCommit: "500ms" });
  rpc0 = net.rpcUrls[0] as string;
});
afterAll(async () => {
  await net?.stop();
});

async function signer(name: string) {
  const acc = net.accounts.find((a) => a.name === name)!;
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(acc.mnemonic, { prefix: "nusa" });
  const client = await SigningStargateClient.connectWithSigner(rpc0, wallet, {
    registry: dsdnRegistry(),
    gasPrice: GasPrice.fromString(net.env.GAS_PRICE as string),
  });
  return { client, address: acc.address, key: keyFromMnemonic(acc.mnemonic) };
}

describe("Chain Nusantara localnet with unmodified CosmJS", () => {
  it("sends tokens with fee auto; balances and sequences move as expected", async () => {
    const alice = await signer("alice");
    const bob = net.accounts.find((a) => a.name === "bob")!.address;
    const query = await StargateClient.connect(rpc0);
    expect(await query.getChainId()).toBe(net.env.CHAIN_ID);
    const before = BigInt((await query.getBalance(bob, "unusa")).amount);
    const seq0 = (await query.getSequence(alice.address)).sequence;
    const r = await alice.client.sendTokens(alice.address, bob, [{ denom: "unusa", amount: "777" }], "auto", "e2e");
    expect(r.code).toBe(0);
    expect(r.gasUsed).toBeLessThanOrEqual(r.gasWanted);
    expect(BigInt((await query.getBalance(bob, "unusa")).amount)).toBe(before + 777n);
    expect((await query.getSequence(alice.address)).sequence).toBe(seq0 + 1);
    // The tx is indexed: getTx and searchTx by an SDK event find it.
    const tx = await query.getTx(r.transactionHash);
    expect(tx?.height).toBe(r.height);
    const found = await query.searchTx(`message.sender='${alice.address}'`);
    expect(found.map((t) => t.hash)).toContain(r.transactionHash);
    // An unknown account reads as null, as CosmJS expects.
    expect(await query.getAccount(toBech32Address(fromHex("ab".repeat(20))))).toBeNull();
    alice.client.disconnect();
    query.disconnect();
  });

  it("refuses every kind of bad input in CheckTx with SDK codes and keeps running", async () => {
    const carol = await signer("carol");
    const query = await StargateClient.connect(rpc0);
    const acc = (await query.getAccount(carol.address))!;
    const to = net.accounts.find((a) => a.name === "dave")!.address;
    const chainId = net.env.CHAIN_ID as string;
    const base = {
      key: carol.key,
      chainId,
      accountNumber: BigInt(acc.accountNumber),
      sequence: BigInt(acc.sequence),
      msgs: [sendMsg(carol.address, to, 5n)],
    };
    const parts = buildTxParts(base);
    const tampered = parts.signature.slice();
    tampered[0] = (tampered[0] as number) ^ 1;
    const n = secp256k1.Point.CURVE().n;
    const highS = parts.signature.slice();
    highS.set(fromHex((n - BigInt(`0x${toHex(parts.signature.subarray(32))}`)).toString(16).padStart(64, "0")), 32);
    const cases: [string, Uint8Array, number, RegExp][] = [
      ["garbage bytes", new TextEncoder().encode("this is not a transaction"), 2, /tx parse error|cannot decode/],
      [
        "unknown message type",
        buildTx({ ...base, msgs: [{ typeUrl: "/dsdn.nothing.v1.MsgNothing", value: new Uint8Array([1]) }] }),
        6,
        /unrecognized message type/,
      ],
      ["wrong chain id", buildTx({ ...base, chainId: "some-other-chain" }), 4, /signature verification failed/],
      [
        "wrong account number",
        buildTx({ ...base, accountNumber: base.accountNumber + 1n }),
        4,
        /signature verification failed/,
      ],
      ["tampered signature", encodeTx({ ...parts, signature: tampered }), 4, /signature verification failed/],
      ["high-S signature", encodeTx({ ...parts, signature: highS }), 4, /signature verification failed/],
      ["future sequence", buildTx({ ...base, sequence: base.sequence + 3n }), 32, /account sequence mismatch/],
      ["insufficient fee", buildTx({ ...base, fee: [{ denom: "unusa", amount: "1" }] }), 13, /insufficient fees/],
      [
        "insufficient funds",
        buildTx({ ...base, msgs: [sendMsg(carol.address, to, 10n ** 18n)] }),
        5,
        /insufficient funds/,
      ],
      ["oversized memo", buildTx({ ...base, memo: "m".repeat(300) }), 12, /maximum number of characters/],
      [
        "gas limit overflow",
        buildTx({ ...base, gasLimit: 2n ** 62n, fee: [{ denom: "unusa", amount: "100000000000" }] }),
        41,
        /gas limit overflow/,
      ],
    ];
    const comet = await Comet38Client.connect(rpc0);
    for (const [name, tx, code, log] of cases) {
      const r = await comet.broadcastTxSync({ tx });
      expect(r.code, name).toBe(code);
      expect(r.codespace, name).toBe("sdk");
      expect(r.log, name).toMatch(log);
    }
    // A valid tx commits; replaying its exact bytes is refused and changes nothing.
    const good = buildTx(base);
    const ok = await comet.broadcastTxCommit({ tx: good });
    expect(ok.checkTx.code).toBe(0);
    expect(ok.txResult?.code).toBe(0);
    const balanceAfter = (await query.getBalance(to, "unusa")).amount;
    let replayCode: number | string;
    try {
      replayCode = (await comet.broadcastTxSync({ tx: good })).code;
    } catch (e) {
      replayCode = String((e as Error).message); // CometBFT's cache: "tx already exists in cache"
    }
    expect(replayCode === 32 || /already exists in cache/.test(String(replayCode))).toBe(true);
    const stale = await Comet38Client.connect(net.rpcUrls[3] as string);
    const staleRes = await stale.broadcastTxSync({ tx: buildTx({ ...base, memo: "stale" }) });
    expect(staleRes.code).toBe(32);
    await waitFor(async () => (await latestHeight(rpc0)) >= ok.height + 2, 20_000, "two more blocks");
    expect((await query.getBalance(to, "unusa")).amount).toBe(balanceAfter);
    comet.disconnect();
    stale.disconnect();
    query.disconnect();
  });

  it("all validators have the same app hash at the same height", async () => {
    const h = (await latestHeight(rpc0)) - 1;
    const hashes = await Promise.all(
      net.rpcUrls.map(async (u) => (await rpc(u, "block", { height: String(h) })).block.header.app_hash as string),
    );
    expect(new Set(hashes).size).toBe(1);
    expect(hashes[0]).toMatch(/^[0-9A-F]{64}$/);
  });

  it("keeps producing blocks with 1 of 4 validators killed, and the killed one catches up to the same app hash", async () => {
    const root = projectRoot();
    process.kill(net.pid("cometbft", 3), "SIGKILL");
    process.kill(net.pid("dsdnd", 3), "SIGKILL");
    const atKill = await latestHeight(rpc0);
    await waitFor(async () => (await latestHeight(rpc0)) >= atKill + 4, 30_000, "blocks with one validator down");
    // Traffic while it is down, so it has real blocks to replay.
    const alice = await signer("alice");
    const r = await alice.client.sendTokens(
      alice.address,
      net.accounts.find((a) => a.name === "bob")!.address,
      [{ denom: "unusa", amount: "1" }],
      "auto",
    );
    expect(r.code).toBe(0);
    alice.client.disconnect();

    const home = join(net.dir, "chain", "node3");
    const logs = join(net.dir, "logs");
    const app = spawn("node", [join(root, "bin/dsdnd.js"), "start", "--home", home], {
      stdio: "ignore",
      detached: true,
    });
    await new Promise((res) => setTimeout(res, 1000));
    const node = spawn(cometbftBinary(), ["start", "--home", home], { stdio: "ignore", detached: true });
    try {
      const target = (await latestHeight(rpc0)) + 1;
      await waitFor(
        async () => (await latestHeight(net.rpcUrls[3] as string)) >= target,
        60_000,
        `validator 3 to reach height ${target} (logs in ${logs})`,
      );
      const h = target - 1;
      const [a, b] = await Promise.all([
        rpc(rpc0, "block", { height: String(h) }),
        rpc(net.rpcUrls[3] as string, "block", { height: String(h) }),
      ]);
      expect(b.block.header.app_hash).toBe(a.block.header.app_hash);
      const q3 = await StargateClient.connect(net.rpcUrls[3] as string);
      expect((await q3.getTx(r.transactionHash))?.code).toBe(0);
      q3.disconnect();
    } finally {
      node.kill("SIGTERM");
      app.kill("SIGTERM");
    }
  });
});

describe("light-client reads", () => {
  it("verifies a proven state read against the next header's app hash, and rejects a forged one", async () => {
    const comet = await Comet38Client.connect(net.rpcUrls[1] as string);
    const key = new TextEncoder().encode("auth/\x04"); // the chain id, fixed at genesis
    const r = await verifiedRawKey(comet, key);
    expect(new TextDecoder().decode(r.value)).toBe(net.env.CHAIN_ID);
    // Absent keys are proven absent.
    const absent = await verifiedRawKey(comet, new TextEncoder().encode("bank/no-such-key"));
    expect(absent.value).toBeUndefined();
    // A node that lies about the value is caught: verify the honest proof with a forged value.
    const raw = await comet.abciQuery({ path: "/store/key", data: key, prove: true });
    const header = await waitFor(() => comet.block((raw.height ?? 0) + 1), 20_000, "the next header");
    const op = raw.proof!.ops[0]!;
    expect(verifyProof(header.block.header.appHash, key, new TextEncoder().encode("forged-chain"), op.data)).toBe(
      false,
    );
    comet.disconnect();
  });
});

describe("dsdnd CLI against the localnet", () => {
  const dsdnd = (args: string[], input?: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn("node", [join(projectRoot(), "bin/dsdnd.js"), ...args], { stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(input ?? "");
    });

  it("recovers a key, sends with fee auto, and queries balances and accounts as JSON", async () => {
    const home = mkdtempSync(join(tmpdir(), "dsdnd-cli-"));
    const dave = net.accounts.find((a) => a.name === "dave")!;
    // The default keyring backend is the encrypted file one; the passphrase comes from a private file.
    const pass = join(home, "passphrase");
    writeFileSync(pass, "dave's long passphrase\n", { mode: 0o600 });
    const pf = ["--keyring-passphrase-file", pass];
    const added = await dsdnd(
      ["keys", "add", "dave", "--recover", "--home", home, ...pf, "-o", "json"],
      `${dave.mnemonic}\n`,
    );
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout).address).toBe(dave.address);
    expect(statSync(join(home, "keyring", "dave.json")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(home, "keyring", "dave.json"), "utf8")).not.toContain(dave.mnemonic);
    const shown = await dsdnd(["keys", "show", "dave", "-a", "--home", home]);
    expect(shown.stdout.trim()).toBe(dave.address);
    const fresh = toBech32Address(fromHex("cd".repeat(20)));
    const sent = await dsdnd([
      "tx",
      "bank",
      "send",
      "dave",
      fresh,
      "4242unusa",
      "--home",
      home,
      ...pf,
      "--node",
      rpc0,
      "-o",
      "json",
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    const tx = JSON.parse(sent.stdout);
    expect(tx.code).toBe(0);
    expect(tx.txhash).toMatch(/^[0-9A-F]{64}$/);
    const bal = await dsdnd(["query", "bank", "balances", fresh, "--node", rpc0, "-o", "json"]);
    expect(JSON.parse(bal.stdout)).toEqual({ balances: [{ denom: "unusa", amount: "4242" }] });
    const acc = await dsdnd(["query", "auth", "account", dave.address, "--node", rpc0, "-o", "json"]);
    expect(JSON.parse(acc.stdout).sequence).toBeGreaterThan(0);
    const missing = await dsdnd([
      "query",
      "auth",
      "account",
      toBech32Address(fromHex("ee".repeat(20))),
      "--node",
      rpc0,
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not found/);
    const broke = await dsdnd([
      "tx",
      "bank",
      "send",
      "dave",
      fresh,
      "999999999999999999unusa",
      "--home",
      home,
      ...pf,
      "--node",
      rpc0,
    ]);
    expect(broke.code).toBe(1);
    expect(broke.stderr).toMatch(/insufficient funds/);
  });

  it("init and genesis add-account build a valid single-node home", async () => {
    const home = mkdtempSync(join(tmpdir(), "dsdnd-home-"));
    const init = await dsdnd(["init", "solo", "--home", home, "--chain-id", "solo-1", "-o", "json"]);
    expect(init.code, init.stderr).toBe(0);
    expect(JSON.parse(init.stdout).nodeId).toMatch(/^[0-9a-f]{40}$/);
    const who = toBech32Address(fromHex("12".repeat(20)));
    expect((await dsdnd(["genesis", "add-account", who, "5000000unusa", "--home", home])).code).toBe(0);
    const dup = await dsdnd(["genesis", "add-account", who, "1unusa", "--home", home]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/already has a genesis balance/);
    const g = JSON.parse(readFileSync(join(home, "config", "genesis.json"), "utf8"));
    expect(g.chain_id).toBe("solo-1");
    expect(g.app_state.bank.balances).toEqual([{ address: who, coins: [{ denom: "unusa", amount: "5000000" }] }]);
    expect(g.validators).toHaveLength(1);
  });
});
