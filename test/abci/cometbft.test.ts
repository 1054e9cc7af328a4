/** @module End-to-end: the ABCI server driving a real CometBFT v0.38 node, across node restarts and app restarts. */

import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  type AbciLogFields,
  type AbciLogger,
  type AbciServer,
  createStderrLogger,
  startAbciServer,
} from "../../chain-app/abci/index.js";
import { toHex } from "../../common/hash.js";
import { CometNode, freePort, initHome, requireCometbft } from "./cometbftNode.js";
import { KvStoreApp, kvAppHash, THROW_PATH, THROW_TX_PREFIX } from "./kvstoreApp.js";

const hex = (s: string) => `0x${Buffer.from(s, "utf8").toString("hex")}`;
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/** Records server log lines (to count connections) and still prints warnings and errors. */
function countingLogger(): AbciLogger & { count(message: string): number } {
  const seen: string[] = [];
  const stderr = createStderrLogger({ level: "warn" });
  const rec =
    (level: keyof AbciLogger) =>
    (message: string, fields?: AbciLogFields): void => {
      seen.push(message);
      stderr[level](message, fields);
    };
  return {
    debug: rec("debug"),
    info: rec("info"),
    warn: rec("warn"),
    error: rec("error"),
    count: (message) => seen.filter((m) => m === message).length,
  };
}

async function until(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface TxCommit {
  check_tx: { code: number; codespace: string; log: string };
  tx_result: { code: number; codespace: string; log: string };
  height: string;
}

describe("ABCI server against a real CometBFT v0.38 node", () => {
  let dir: string;
  let home: string;
  let stateFile: string;
  let staleStateFile: string;
  let staleHeight = 0n;
  let rpcPort: number;
  let app: KvStoreApp;
  let server: AbciServer | undefined;
  let logger: ReturnType<typeof countingLogger>;
  let node: CometNode | undefined;
  const nodes: CometNode[] = [];
  const servers: AbciServer[] = [];

  function startNode(): CometNode {
    node = CometNode.start(home, rpcPort);
    nodes.push(node);
    return node;
  }

  async function startServer(listen: string): Promise<AbciServer> {
    server = await startAbciServer(app, { listen, logger });
    servers.push(server);
    return server;
  }

  /** Header H+1 must carry exactly the app hash the app returned from FinalizeBlock at H. */
  async function expectHeaderAppHashes(from: bigint, to: bigint, hashes: ReadonlyMap<bigint, Uint8Array>) {
    let checked = 0;
    for (let h = from; h < to; h++) {
      const returned = hashes.get(h);
      if (!returned) continue;
      const block = await node!.rpc<{ block: { header: { app_hash: string } } }>("block", { height: String(h + 1n) });
      expect(block.block.header.app_hash, `app_hash in header ${h + 1n}`).toBe(toHex(returned).toUpperCase());
      checked++;
    }
    return checked;
  }

  async function queryKey(key: string) {
    const res = await node!.rpc<{ response: { code: number; value: string | null; height: string; log: string } }>(
      "abci_query",
      { path: '"/store"', data: hex(key) },
    );
    return res.response;
  }

  beforeAll(async () => {
    requireCometbft();
    dir = mkdtempSync(join(tmpdir(), "abci-e2e-"));
    home = join(dir, "cometbft");
    stateFile = join(dir, "kvstore.json");
    staleStateFile = join(dir, "kvstore-stale.json");
    rpcPort = await freePort();
    const p2pPort = await freePort();
    logger = countingLogger();
    app = new KvStoreApp(stateFile);
    const srv = await startServer("tcp://127.0.0.1:0");
    initHome(home, { proxyApp: srv.address, rpcPort, p2pPort, timeoutCommit: "200ms" });
  });

  afterAll(async () => {
    // Always clean up, whatever failed: nodes first (so they do not see the app vanish), then servers.
    await Promise.all(nodes.map((n) => n.stop("SIGKILL")));
    await Promise.all(servers.map((s) => s.close()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("produces blocks, commits txs, answers queries, and header H+1 carries the app hash of H", async () => {
    const n = startNode();
    await n.waitForHeight(2n);
    expect(logger.count("ABCI connection opened")).toBe(4);
    expect(app.calls.initChain).toBe(1);
    expect(app.calls.info).toBeGreaterThanOrEqual(1);
    expect(n.output).toContain("Completed ABCI Handshake");

    const ok = await n.rpc<TxCommit>("broadcast_tx_commit", { tx: hex("name=nusantara") });
    expect(ok.check_tx.code).toBe(0);
    expect(ok.tx_result.code).toBe(0);
    const ok2 = await n.rpc<TxCommit>("broadcast_tx_commit", { tx: hex("city=jakarta") });
    expect(ok2.tx_result.code).toBe(0);
    expect(BigInt(ok2.height)).toBeGreaterThan(0n);

    // A business error from the app comes back as a code, the node keeps going.
    const bad = await n.rpc<TxCommit>("broadcast_tx_commit", { tx: hex("no-equals-sign") });
    expect(bad.check_tx).toMatchObject({ code: 2, codespace: "kvstore", log: "tx must be key=value" });
    // A CheckTx handler that throws becomes code 1 / "sdk" instead of killing CometBFT.
    const thrown = await n.rpc<TxCommit>("broadcast_tx_commit", { tx: hex(`${THROW_TX_PREFIX}x=1`) });
    expect(thrown.check_tx).toMatchObject({ code: 1, codespace: "sdk", log: "checkTx handler failed on purpose" });

    const name = await queryKey("name");
    expect(name.code).toBe(0);
    expect(name.value).toBe(b64("nusantara"));
    expect(BigInt(name.height)).toBeGreaterThanOrEqual(BigInt(ok.height));
    const missing = await queryKey("nope");
    expect(missing).toMatchObject({ code: 1, log: "key not found" });
    const throwing = await n.rpc<{ response: { code: number; codespace: string; log: string } }>("abci_query", {
      path: JSON.stringify(THROW_PATH),
    });
    expect(throwing.response).toMatchObject({ code: 1, codespace: "sdk", log: "query handler failed on purpose" });

    const txHeight = BigInt(ok2.height);
    const latest = await n.waitForHeight(txHeight + 2n);
    expect(n.running).toBe(true);
    // Block 1 carries InitChain's hash; every later header the hash FinalizeBlock returned one height before.
    const block1 = await n.rpc<{ block: { header: { app_hash: string } } }>("block", { height: "1" });
    expect(block1.block.header.app_hash).toBe(toHex(app.initChainAppHash!).toUpperCase());
    const checked = await expectHeaderAppHashes(1n, latest, app.returnedAppHashes);
    expect(checked).toBe(Number(latest - 1n));
    expect(app.returnedAppHashes.get(txHeight)).toEqual(
      kvAppHash(
        new Map([
          ["name", "nusantara"],
          ["city", "jakarta"],
        ]),
      ),
    );
  });

  it("survives CometBFT restarting: reconnects with 4 new connections, handshakes via Info, same state", async () => {
    const before = await node!.latestHeight();
    const infoBefore = app.calls.info;
    expect(await node!.stop("SIGTERM")).not.toBeNull();
    await until(() => logger.count("ABCI connection closed") === 4, "the 4 connections to close");
    // Keep this committed state: the last test restarts the app from it to force a block replay.
    copyFileSync(stateFile, staleStateFile);
    staleHeight = app.committedHeight;

    const n = startNode();
    const after = await n.waitForHeight(before + 3n);
    expect(logger.count("ABCI connection opened")).toBe(8);
    expect(app.calls.info).toBeGreaterThan(infoBefore);
    expect(app.calls.initChain).toBe(1);
    // CometBFT took the height from our Info answer and found nothing to replay.
    expect(n.output).toMatch(new RegExp(`ABCI Handshake App Info\\s+module=consensus height=${staleHeight} `));
    expect(n.output).toContain("Completed ABCI Handshake");

    expect((await queryKey("city")).value).toBe(b64("jakarta"));
    const tx = await n.rpc<TxCommit>("broadcast_tx_commit", { tx: hex("phase=two") });
    expect(tx.tx_result.code).toBe(0);
    const latest = await n.waitForHeight(BigInt(tx.height) + 1n);
    expect(await expectHeaderAppHashes(before, latest, app.returnedAppHashes)).toBeGreaterThanOrEqual(
      Number(after - before),
    );
  });

  it("resumes after the app restarts from its persisted state and CometBFT restarts", async () => {
    const oldNode = node!;
    const address = server!.address;
    const heightBefore = await oldNode.latestHeight();
    // Stop the app under a running node: CometBFT must notice the dropped connections and stop itself.
    await server!.close();
    // Its own timeouts decide when: a few seconds alone, much longer beside another localnet on 2 cores.
    const code = await Promise.race([oldNode.exited, new Promise((r) => setTimeout(() => r("still running"), 90_000))]);
    if (code === "still running") await oldNode.stop("SIGTERM");
    expect(code, "CometBFT should stop itself when the app connections drop").not.toBe("still running");

    app = new KvStoreApp(stateFile);
    expect(app.committedHeight).toBeGreaterThanOrEqual(heightBefore - 1n);
    await startServer(address);
    const opened = logger.count("ABCI connection opened");
    const n = startNode();
    const after = await n.waitForHeight(heightBefore + 3n);
    expect(logger.count("ABCI connection opened")).toBe(opened + 4);
    expect(app.calls.info).toBeGreaterThanOrEqual(1);
    expect(app.calls.initChain).toBe(0);

    expect((await queryKey("name")).value).toBe(b64("nusantara"));
    expect((await queryKey("phase")).value).toBe(b64("two"));
    const tx = await n.rpc<TxCommit>("broadcast_tx_commit", { tx: hex("phase=three") });
    expect(tx.tx_result.code).toBe(0);
    expect((await queryKey("phase")).value).toBe(b64("three"));
    const latest = await n.waitForHeight(BigInt(tx.height) + 1n);
    expect(await expectHeaderAppHashes(heightBefore, latest, app.returnedAppHashes)).toBeGreaterThanOrEqual(
      Number(after - heightBefore) - 1,
    );
  });

  it("replays missing blocks through the server when the app restarts from an older state", async () => {
    const storeHeight = await node!.latestHeight();
    await node!.stop("SIGTERM");
    const address = server!.address;
    await server!.close();
    // The app lost its last blocks (restored from an older copy): CometBFT must replay them.
    copyFileSync(staleStateFile, stateFile);
    app = new KvStoreApp(stateFile);
    expect(app.committedHeight).toBe(staleHeight);
    expect(storeHeight - staleHeight).toBeGreaterThanOrEqual(5n);
    await startServer(address);
    const n = startNode();
    const after = await n.waitForHeight(storeHeight + 2n);
    expect(n.output).toMatch(new RegExp(`ABCI Replay Blocks\\s+module=consensus appHeight=${staleHeight} `));
    // CometBFT saves block `after` to its store (the height /status reports) before it sends FinalizeBlock for it:
    // wait for the app to have finalized it (the app refuses any height but committed + 1, so this means every
    // block from staleHeight + 1 on, replayed or new, went through in order).
    await vi.waitFor(() => expect(app.returnedAppHashes.has(after)).toBe(true), { timeout: 10_000, interval: 5 });
    // Every replayed block went through FinalizeBlock + Commit and reproduced the recorded app hashes.
    expect(app.calls.finalizeBlock).toBeGreaterThanOrEqual(Number(after - staleHeight));
    // The chain keeps running: a new block may sit between its FinalizeBlock and its Commit at the moment of
    // reading, so wait for the pair to line up (a missing Commit never does).
    await vi.waitFor(() => expect(app.calls.commit).toBe(app.calls.finalizeBlock), { timeout: 5_000, interval: 5 });
    expect(await expectHeaderAppHashes(staleHeight, after, app.returnedAppHashes)).toBe(
      Number(after - staleHeight - 1n),
    );
    expect((await queryKey("phase")).value).toBe(b64("three"));
    expect((await queryKey("city")).value).toBe(b64("jakarta"));
  });
});
