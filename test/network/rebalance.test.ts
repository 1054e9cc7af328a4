/**
 * @module End to end on a real localnet (real processes: chain, local DA, coordinator, 6 storage nodes in 3 zones):
 * a 7th node bonds, registers on chain and starts; the coordinator rebalances — it ends up placed on exactly the
 * chunks the rendezvous placement gives it (about its fair share), every move is a ChunkDeclared seen by an
 * independent DA replay, moves come at most `maxMovesPerRound` per round, and after the grace period the nodes the
 * chunks moved away from have garbage-collected them.
 */
import { execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../common/paths.js";
import { CoordinatorClient } from "../../node-agent/coordinator/client.js";
import { silentLogger } from "../../node-agent/da/events/logger.js";
import { replayConfig } from "../../node-agent/da/replay/config.js";
import { createDALayer } from "../../node-agent/da/replay/createDALayer.js";
import { ReplayFollower } from "../../node-agent/da/replay/follower.js";
import type { DALayer } from "../../node-agent/da/types.js";
import { type PlacementNode, placeChunk } from "../../node-agent/placement/placement.js";
import { type Localnet, startLocalnet, waitFor } from "../support/localnet.js";

const run = promisify(execFile);
const root = projectRoot();
/** The coordinator's default rate limit (`maxMovesPerRound`). */
const MAX_MOVES_PER_ROUND = 16;
/** Short, so the test sees moved chunks freed (an upload slower than this keeps its chunks: their tickets are valid). */
const GC_GRACE_MS = 2000;
let net: Localnet;
let env: NodeJS.ProcessEnv;
let coord: CoordinatorClient;
let da: DALayer | undefined;
let replay: ReplayFollower | undefined;

async function cli(bin: "dsdn" | "dsdn-node" | "dsdnd", ...args: string[]): Promise<string> {
  const { stdout } = await run("node", [join(root, "bin", `${bin}.js`), ...args], {
    cwd: root,
    env,
    maxBuffer: 1 << 24,
  });
  return stdout.trim();
}
const storageDir = (n: number) => join(net.dir, "storage", String(n));
const nodeIdOf = (n: number) =>
  (JSON.parse(readFileSync(join(storageDir(n), "node-key.json"), "utf8")) as { publicKey: string }).publicKey;
const holds = (n: number, cid: string) => existsSync(join(storageDir(n), "objects", cid.slice(-2), cid));

beforeAll(async () => {
  net = await startLocalnet({ validators: 1, storageNodes: 6, env: { LOCALNET_GC_GRACE_MS: String(GC_GRACE_MS) } });
  env = { ...process.env, ...net.env, DSDN_HOME: join(net.dir, "dsdn-home") };
  delete env.DSDN_NODES;
  coord = new CoordinatorClient(net.env.DSDN_COORDINATOR_URL!);
}, 240_000);
afterAll(async () => {
  await replay?.stop();
  await da?.close();
  await net?.stop(); // stops the joined node too: its pid file is in the localnet's pids/
});

/** Bonds and registers storage node `n` on chain (as start.sh does) and starts it; returns its node id. */
async function joinNode(n: number, zone: string): Promise<string> {
  const dir = storageDir(n);
  mkdirSync(dir, { recursive: true });
  const nodeId = await cli("dsdn-node", "coordinator", "key", "--data", dir);
  const fp = createHash("sha256").update(`dsdn-localnet-no-tls:${nodeId}`).digest("hex");
  const name = `storage${n}`;
  const keyring = join(net.dir, "keyring");
  const acct = net.accounts.find((a) => a.name === name)!;
  await new Promise<void>((resolve, reject) => {
    const p = spawn(
      "node",
      [
        join(root, "bin", "dsdnd.js"),
        "keys",
        "add",
        name,
        "--recover",
        "--keyring-dir",
        keyring,
        "--keyring-backend",
        "test",
      ],
      { cwd: root, env },
    );
    p.stdin.end(acct.mnemonic);
    p.on("exit", (c) => (c === 0 ? resolve() : reject(new Error(`keys add ${name} exited ${c}`))));
  });
  const tx = (...args: string[]) =>
    cli(
      "dsdnd",
      "tx",
      ...args,
      "--keyring-dir",
      keyring,
      "--keyring-backend",
      "test",
      "--node",
      env.RPC_URL!,
      "-o",
      "json",
    );
  await tx("stake", "bond-node", name, "regular", "1000000000unusa");
  const port = net.basePort + 93 + n;
  await tx(
    "nodes",
    "register",
    name,
    "--node-key",
    join(dir, "node-key.json"),
    "--tls-fingerprint",
    fp,
    "--zone",
    zone,
    "--class",
    "regular",
    "--capacity",
    "1099511627776",
    "--endpoint",
    `http://127.0.0.1:${port}`,
  );
  const log = openSync(join(net.dir, "logs", `storage-${n}.log`), "a");
  const p = spawn(
    "node",
    [
      join(root, "bin", "dsdn-node.js"),
      "storage",
      "--data",
      dir,
      "--token-file",
      join(net.dir, "da", "read.token"),
      "--port",
      String(port),
      "--zone",
      zone,
      "--coordinator-url",
      net.env.DSDN_COORDINATOR_URL!,
      "--coordinator-key",
      net.env.DSDN_COORDINATOR_KEYS!,
      "--operator",
      acct.address,
      "--tls-fingerprint",
      fp,
      "--capacity",
      "1024GiB",
      "--heal-interval-ms",
      "500",
      "--gc-grace-ms",
      String(GC_GRACE_MS),
    ],
    { cwd: root, env, stdio: ["ignore", log, log], detached: true },
  );
  p.unref();
  writeFileSync(join(net.dir, "pids", `storage-${n}.pid`), String(p.pid));
  return nodeId;
}

describe("rebalancing on a localnet (6 nodes, a 7th joins)", () => {
  it("a joining node receives its rendezvous share by rate-limited DA moves; GC frees the moved chunks", async () => {
    // 96 chunks + the manifest, RF 3: one replica per zone.
    const file = randomBytes(96 * 256 * 1024);
    const path = join(net.dir, "rebalance.bin");
    writeFileSync(path, file);
    // A loaded machine can make the coordinator shed load (503): the upload is retried, as a user would.
    let up: { manifest: string } | undefined;
    for (let attempt = 1; !up; attempt++) {
      try {
        up = JSON.parse(await cli("dsdn", "upload", path, "--chunk-size", "256KiB", "--json"));
      } catch (e) {
        if (attempt >= 3 || !/overloaded|retry shortly/.test((e as Error).message)) throw e;
        await new Promise((r) => setTimeout(r, 5000));
      }
    }
    const manifest: string = up!.manifest;
    const before = await coord.status(manifest);
    const objects = before.chunks.map((c) => c.cid);
    expect(objects).toHaveLength(97);
    const placedBefore = new Map(before.chunks.map((c) => [c.cid, [...c.placement]]));

    // An independent replay of DA (the coordinator's key is the only authority it trusts) records every
    // re-declaration (a move) and the DA height it came in.
    da = await createDALayer({
      url: net.env.DA_RPC_URL!,
      namespace: net.env.DA_NAMESPACE!,
      tokenFile: join(net.dir, "da", "read.token"),
      fallback: false,
    });
    replay = new ReplayFollower({
      da,
      config: replayConfig({ coordinators: [net.env.DSDN_COORDINATOR_KEYS!] }),
      logger: silentLogger,
    });
    const declaredAt = new Map<string, bigint[]>();
    replay.on("height", (r: { height: bigint; changes: readonly { type: string; cid?: string }[] }) => {
      for (const c of r.changes)
        if (c.type === "chunkDeclared" && c.cid) declaredAt.set(c.cid, [...(declaredAt.get(c.cid) ?? []), r.height]);
    });
    replay.start();
    await waitFor(async () => replay!.height >= BigInt((await coord.health()).daHeight), 60_000, "replay caught up");
    declaredAt.clear();

    const zone = "zone-a"; // nodes 0 and 3 are in zone-a: the new node is its third
    const newId = await joinNode(6, zone);
    await waitFor(
      async () => (await coord.nodes()).nodes.find((x) => x.nodeId === newId)?.status === "active",
      120_000,
      "the new node Active",
    );

    // What the placement says the new node should hold: the pure rendezvous placement over the 7 Active nodes
    // (equal chain capacity and stake for all, so equal weights; the uploader owns no node).
    const nodes = (await coord.nodes()).nodes.filter((x) => x.status === "active");
    expect(nodes).toHaveLength(7);
    const candidates: PlacementNode[] = nodes.map((x) => ({
      nodeId: x.nodeId,
      operator: x.operator,
      zone: x.zone,
      capacityBytes: 1n << 40n,
      stakeWeightMicro: 0n,
      status: "active",
      endpoint: x.endpoint,
    }));
    const owner = before.chunks[0]!.owners[0]!;
    const expected = objects.filter((cid) =>
      placeChunk({ cid, nodes: candidates, replicationFactor: 3, uploader: owner }).nodes.some(
        (p) => p.nodeId === newId,
      ),
    );
    // Fair share: RF 3 over 3 zones puts one replica in each zone, so the new node wins a chunk with probability
    // 1 / (nodes in its zone); the pure placement's count must be within 4 σ of that binomial mean (random data:
    // a false alarm about once in 15 000 runs).
    const p = 1 / nodes.filter((x) => x.zone === zone).length;
    const mean = objects.length * p;
    const sigma = Math.sqrt(objects.length * p * (1 - p));
    expect(Math.abs(expected.length - mean)).toBeLessThanOrEqual(4 * sigma);

    // Rebalanced: the new node is placed on exactly those chunks and holds every one of them.
    let seen = "";
    await waitFor(
      async () => {
        const s = await coord.status(manifest);
        const on = s.chunks.filter((c) => c.placement.includes(newId));
        const recorded = on.filter((c) => c.replicas.some((r) => r.node === newId && r.healthy)).length;
        const onDisk = expected.filter((cid) => holds(6, cid)).length;
        seen = `placed ${on.length}, recorded ${recorded}, on disk ${onDisk} of ${expected.length} expected`;
        return on.length === expected.length && recorded === on.length && onDisk === expected.length;
      },
      180_000,
      "the new node holding its chunks",
    ).catch((e: Error) => {
      throw new Error(`${e.message} (${seen})`);
    });
    const after = await coord.status(manifest);
    const moved = after.chunks.filter((c) => c.placement.includes(newId)).map((c) => c.cid);
    expect(moved.sort()).toEqual([...expected].sort());
    // Chunks the new node did not win kept their placement (rendezvous moves nothing else).
    for (const c of after.chunks)
      if (!moved.includes(c.cid)) expect([...c.placement].sort()).toEqual([...placedBefore.get(c.cid)!].sort());

    // Every move is a ChunkDeclared on DA (seen by the independent replay) ...
    await waitFor(async () => moved.every((cid) => declaredAt.has(cid)), 30_000, "every move seen on DA");
    // ... and moves come in rounds of at most maxMovesPerRound (from the coordinator's log of each round).
    const rounds = readFileSync(join(net.dir, "logs", "coordinator-0.log"), "utf8")
      .split("\n")
      .filter((l) => l.includes("rebalancing: moving chunks"))
      .map((l) => (JSON.parse(l) as { chunks: number }).chunks);
    expect(rounds.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(moved.length);
    for (const r of rounds) expect(r).toBeLessThanOrEqual(MAX_MOVES_PER_ROUND);
    expect(rounds.length).toBeGreaterThanOrEqual(Math.ceil(moved.length / MAX_MOVES_PER_ROUND));

    // After the grace period, each node a chunk moved away from has freed it; the file still reads back intact.
    const indexOf = new Map(Array.from({ length: 7 }, (_, n) => [nodeIdOf(n), n]));
    const left = moved.flatMap((cid) =>
      placedBefore
        .get(cid)!
        .filter((id) => !after.chunks.find((c) => c.cid === cid)!.placement.includes(id))
        .map((id) => ({ cid, n: indexOf.get(id)! })),
    );
    expect(left).toHaveLength(moved.length);
    await waitFor(async () => left.every(({ cid, n }) => !holds(n, cid)), 120_000, "the old holders garbage-collected");
    const out = join(net.dir, "rebalance.out");
    await cli("dsdn", "get", manifest, "-o", out);
    expect(readFileSync(out).equals(file)).toBe(true);
    const bytesMoved = moved.reduce((a, cid) => a + Number(after.chunks.find((c) => c.cid === cid)!.size), 0);
    console.log(
      `rebalance: ${moved.length} of ${objects.length} chunks moved to the new node (fair share ${mean.toFixed(1)} ± ${(4 * sigma).toFixed(1)}), ${bytesMoved} bytes, ${rounds.length} rounds of ≤ ${MAX_MOVES_PER_ROUND}`,
    );
  }, 600_000);
});
