/**
 * @module End to end on a real localnet (real processes: chain, local DA, coordinator, ingress, 7 storage nodes
 * in 3 zones): an erasure-coded (4+2) upload through `dsdn upload --ec`, read back with `dsdn get` and the
 * ingress, survives the SIGKILL of the m = 2 nodes holding most of its shards and is repaired back; deleting it
 * frees its space on every node (garbage collection).
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../common/paths.js";
import { CoordinatorClient } from "../../node-agent/coordinator/client.js";
import { type Localnet, startLocalnet, waitFor } from "../support/localnet.js";

const run = promisify(execFile);
const root = projectRoot();
let net: Localnet;
let env: NodeJS.ProcessEnv;
let coord: CoordinatorClient;

async function cli(...args: string[]): Promise<string> {
  const { stdout } = await run("node", [join(root, "bin", "dsdn.js"), ...args], { cwd: root, env, maxBuffer: 1 << 24 });
  return stdout.trim();
}
const nodeIdOf = (n: number) =>
  (JSON.parse(readFileSync(join(net.dir, "storage", String(n), "node-key.json"), "utf8")) as { publicKey: string })
    .publicKey;

beforeAll(async () => {
  // A short GC grace, so the test sees a deleted file's space freed.
  net = await startLocalnet({ validators: 1, storageNodes: 7, env: { LOCALNET_GC_GRACE_MS: "2000" } });
  env = { ...process.env, ...net.env, DSDN_HOME: join(net.dir, "dsdn-home") };
  delete env.DSDN_NODES;
  coord = new CoordinatorClient(net.env.DSDN_COORDINATOR_URL!);
});
afterAll(async () => {
  await net?.stop();
});

describe("erasure-coded storage on a localnet (4+2, 7 nodes)", () => {
  it("an --ec 4+2 upload survives the loss of m nodes and is repaired back", async () => {
    const file = randomBytes(3 * 1024 * 1024 + 4321);
    const path = join(net.dir, "ec.bin");
    writeFileSync(path, file);
    const up = JSON.parse(await cli("upload", path, "--ec", "4+2", "--chunk-size", "1MiB", "--json"));
    const manifest: string = up.manifest;
    expect(up.chunks).toBe(4);
    // manifest + 4 chunks × 6 shards
    expect(up.placements).toHaveLength(1 + 4 * 6);
    const status = await coord.status(manifest);
    const shards = status.chunks.filter((c) => c.cid !== manifest);
    expect(shards).toHaveLength(24);
    for (const s of shards) expect(s.replicas.filter((r) => r.healthy)).toHaveLength(1);
    // The two nodes holding the most shards die at once (SIGKILL).
    const ids = Array.from({ length: 7 }, (_, n) => nodeIdOf(n));
    const load = ids.map((id, n) => ({ n, id, count: shards.filter((s) => s.placement.includes(id)).length }));
    const victims = load.sort((a, b) => b.count - a.count || a.n - b.n).slice(0, 2);
    for (const v of victims) process.kill(net.pid("storage", v.n), "SIGKILL");
    const dead = new Set(victims.map((v) => v.id));
    // Readable at once, before any repair: k of 6 shards of every chunk remain.
    const out1 = join(net.dir, "ec.out1");
    await cli("get", manifest, "-o", out1);
    expect(readFileSync(out1).equals(file)).toBe(true);
    const res = await fetch(`${net.env.INGRESS_URL}/object/${manifest}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(file)).toBe(true);
    // Repaired back: every shard placed on a live node that holds it.
    await waitFor(
      async () => {
        const s = await coord.status(manifest);
        return s.chunks
          .filter((c) => c.cid !== manifest)
          .every(
            (c) =>
              c.placement.every((p) => !dead.has(p)) &&
              c.replicas.some((r) => r.healthy && c.placement.includes(r.node)),
          );
      },
      120_000,
      "every shard rebuilt on a live node",
    );
    const out2 = join(net.dir, "ec.out2");
    await cli("get", manifest, "-o", out2);
    expect(readFileSync(out2).equals(file)).toBe(true);

    // Deleting the file (the only pin) frees its space on every live node once the grace period has passed.
    const objects = (await coord.status(manifest)).chunks.map((c) => c.cid);
    const live = Array.from({ length: 7 }, (_, n) => n).filter((n) => !dead.has(nodeIdOf(n)));
    const held = () =>
      live.flatMap((n) =>
        objects.filter((cid) => existsSync(join(net.dir, "storage", String(n), "objects", cid.slice(-2), cid))),
      );
    expect(held().length).toBeGreaterThanOrEqual(objects.length);
    await cli("delete", manifest);
    await waitFor(async () => held().length === 0, 120_000, "every shard and the manifest garbage-collected");
  });
});
