import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { joinCheckpoint, readVarints, splitCheckpoint, varints } from "../../../test/support/checkpointRecords.js";
import { silentLogger } from "../events/logger.js";
import { EventPublisher } from "../events/publisher.js";
import { type SampleNetwork, type SampleStep, sampleNetwork, sampleWorkload } from "../events/sampleWorkload.js";
import { MemoryDA } from "../memoryDA.js";
import type { DAHeightBlobs, DALayer, SubscribeOptions } from "../types.js";
import { CheckpointStore } from "./checkpointStore.js";
import { Rec } from "./compactCheckpoint.js";
import { replayConfig } from "./config.js";
import { ReplayFollower } from "./follower.js";
import type { StateChange } from "./transition.js";

const net: SampleNetwork = sampleNetwork(5, 3, "follower");
const config = replayConfig({ coordinators: [net.coordinator.publicKey] });
const steps: SampleStep[] = [...sampleWorkload(net, { files: 6, chunksPerFile: 4, deleteEvery: 3, healEvery: 5 })];

/** Publishes `list` through one EventPublisher per actor (as separate processes would), waiting for inclusion. */
async function publishAll(
  da: DALayer,
  dir: string,
  list: readonly SampleStep[],
  observed: () => bigint,
): Promise<void> {
  const pubs = new Map<string, EventPublisher>();
  const get = async (by: SampleStep["by"]) => {
    const key = String(by);
    let p = pubs.get(key);
    if (!p) {
      const actor = by === "coordinator" ? net.coordinator : net.nodes[by]!.actor;
      p = await EventPublisher.open({
        da,
        secretKey: actor.secretKey,
        outboxPath: join(dir, `outbox-${key}.sqlite`),
        observedHeight: observed,
        maxDelayMs: 1,
        logger: silentLogger,
      });
      pubs.set(key, p);
    }
    return p;
  };
  for (const s of list) {
    const p = await get(s.by);
    const ev = typeof s.event === "function" ? s.event(observed()) : s.event;
    // Events that depend on earlier ones being seen on DA wait for inclusion, as real publishers would.
    if (s.afterInclusion) for (const q of pubs.values()) await q.flush();
    await p.publish(ev);
  }
  for (const p of pubs.values()) await p.flush();
  for (const p of pubs.values()) await p.close();
}

describe("ReplayFollower", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "dsdn-follower-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("follows live DA, emits changes, and a restarted node replays only the tail to the identical digest", async () => {
    const da = new MemoryDA();
    const cpDir = join(dir, "checkpoints");
    const changes: StateChange[] = [];
    const seenHeights: bigint[] = [];
    const f1 = new ReplayFollower({
      da,
      config,
      checkpointDir: cpDir,
      checkpointEvery: 5n,
      logger: silentLogger,
      onHeight: async (r) => {
        seenHeights.push(r.height);
      },
    });
    f1.on("change", (c: StateChange) => changes.push(c));
    f1.start();
    const half = Math.floor(steps.length / 2);
    await publishAll(da, dir, steps.slice(0, half), () => f1.height);
    await f1.waitForHeight(await da.head());
    await f1.stop();
    expect(changes.filter((c) => c.type === "nodeRegistered")).toHaveLength(5);
    expect(changes.some((c) => c.type === "replicaAdded")).toBe(true);
    expect(seenHeights).toEqual(Array.from({ length: seenHeights.length }, (_, i) => BigInt(i + 1)));
    const stoppedAt = f1.height;
    const digestAtStop = f1.digestHex();
    expect(new CheckpointStore(cpDir).list()[0]!.height).toBe(stoppedAt); // stop() writes a final checkpoint

    // The node is down while the rest is published.
    await publishAll(da, join(dir), steps.slice(half), () => stoppedAt);
    const f2 = new ReplayFollower({ da, config, checkpointDir: cpDir, checkpointEvery: 5n, logger: silentLogger });
    const load = f2.restore();
    expect(load.loaded?.height).toBe(stoppedAt);
    expect(f2.digestHex()).toBe(digestAtStop);
    let tailHeights = 0;
    f2.on("height", () => tailHeights++);
    await f2.syncToHead();
    expect(tailHeights).toBe(Number((await da.head()) - stoppedAt));

    const fresh = new ReplayFollower({ da, config, logger: silentLogger });
    await fresh.syncToHead();
    expect(f2.digestHex()).toBe(fresh.digestHex());
    expect(fresh.state.counts().nodes).toBe(5);
    expect(fresh.machine.stats().duplicates).toBe(0);
    expect(fresh.machine.stats().rejected).toEqual({});
  });

  it("restart of the coordinator (publisher + follower): identical state after restart, no duplicate sequences", async () => {
    const da = new MemoryDA();
    const outbox = join(dir, "coordinator-outbox.sqlite");
    const cps = join(dir, "coordinator-checkpoints");
    const coordinatorSteps = steps.filter((s) => s.by === "coordinator");
    const run = async (list: readonly SampleStep[]) => {
      const follower = new ReplayFollower({
        da,
        config,
        checkpointDir: cps,
        checkpointEvery: 3n,
        logger: silentLogger,
      });
      follower.start();
      await follower.waitForHeight(await da.head());
      const before = follower.digestHex();
      const pub = await EventPublisher.open({
        da,
        secretKey: net.coordinator.secretKey,
        outboxPath: outbox,
        observedHeight: () => follower.height,
        knownSequence: follower.machine.appliedSequence(net.coordinator.publicKey),
        maxDelayMs: 1,
        logger: silentLogger,
      });
      for (const s of list) await pub.publish(typeof s.event === "function" ? s.event(follower.height) : s.event);
      await pub.flush();
      await follower.waitForHeight(await da.head());
      await pub.close();
      await follower.stop();
      return { before, after: follower.digestHex(), seq: follower.machine.appliedSequence(net.coordinator.publicKey) };
    };
    const a = await run(coordinatorSteps.slice(0, 20));
    const b = await run(coordinatorSteps.slice(20));
    expect(b.before).toBe(a.after); // restart → identical state
    expect(b.seq).toBe(BigInt(coordinatorSteps.length));
    const independent = new ReplayFollower({ da, config, logger: silentLogger });
    await independent.syncToHead();
    expect(independent.digestHex()).toBe(b.after);
    expect(independent.machine.stats().duplicates).toBe(0);
    expect(independent.machine.stats().applied).toBe(coordinatorSteps.length);
  });

  it("skips a corrupt newest checkpoint and one whose state does not match its digest", async () => {
    const da = new MemoryDA();
    await publishAll(da, dir, steps, () => 0n);
    const cpDir = join(dir, "cp");
    const f = new ReplayFollower({
      da,
      config,
      checkpointDir: cpDir,
      checkpointEvery: 2n,
      keepCheckpoints: 10,
      logger: silentLogger,
    });
    await f.syncToHead();
    f.checkpoint();
    const files = new CheckpointStore(cpDir).list();
    expect(files.length).toBeGreaterThanOrEqual(3);
    // Newest: flipped byte (checksum catches it).
    const newest = readFileSync(files[0]!.path);
    newest[newest.length >> 1]! ^= 0xff;
    writeFileSync(files[0]!.path, newest);
    // Second newest: intact file, but one replica dropped, its trailer's count lowered and the checksum recomputed
    // (a forger with write access): the counts hold, so only re-hashing the entries into the digest catches it.
    const records = splitCheckpoint(readFileSync(files[1]!.path));
    records.splice(records.map((r) => r.tag).lastIndexOf(Rec.Replica), 1);
    const trailer = records.at(-1)!;
    const counts = readVarints(trailer.body);
    counts[4]!--;
    trailer.body = varints(counts);
    writeFileSync(files[1]!.path, joinCheckpoint(records));
    const g = new ReplayFollower({ da, config, checkpointDir: cpDir, logger: silentLogger, verifyCheckpoint: "full" });
    const load = g.restore();
    expect(load.skipped.map((s) => s.reason)).toEqual([
      expect.stringMatching(/checksum mismatch/),
      expect.stringMatching(/entries do not match its digest/),
    ]);
    expect(load.loaded?.height).toBe(files[2]!.height);
    await g.syncToHead();
    expect(g.digestHex()).toBe(f.digestHex());
    expect(readdirSync(cpDir).some((n) => n.endsWith(".tmp"))).toBe(false);
  });

  it("rides out DA outages and broken subscriptions without gaps", async () => {
    const da = new MemoryDA();
    await publishAll(da, dir, steps.slice(0, 30), () => 0n);
    // A stream that breaks after every 3 heights, like a dropped WebSocket.
    const flaky: DALayer = Object.assign(Object.create(da) as MemoryDA, {
      subscribe(options: SubscribeOptions): AsyncIterable<DAHeightBlobs> {
        return (async function* () {
          let n = 0;
          for await (const h of da.subscribe(options)) {
            yield h;
            if (++n === 3) throw new Error("websocket closed");
          }
        })();
      },
    });
    const f = new ReplayFollower({ da: flaky, config, retryDelayMs: 5, logger: silentLogger });
    let streamErrors = 0;
    f.on("stream-error", () => streamErrors++);
    f.start();
    da.setDown(true);
    await new Promise((r) => setTimeout(r, 30));
    da.setDown(false);
    await publishAll(da, join(dir), steps.slice(30), () => 0n);
    await f.waitForHeight(await da.head());
    await f.stop();
    expect(streamErrors).toBeGreaterThanOrEqual(2);
    const ref = new ReplayFollower({ da, config, logger: silentLogger });
    await ref.syncToHead();
    expect(f.digestHex()).toBe(ref.digestHex());
    expect(f.machine.stats().heights).toBe(Number(await da.head()));
  });

  it("syncTo gives up with a clear error when DA stays unreachable", async () => {
    const da = new MemoryDA();
    da.appendHeight([]);
    da.setDown(true);
    const broken: DALayer = Object.assign(Object.create(da) as MemoryDA, {
      // biome-ignore lint/correctness/useYield: a stream that fails before yielding anything
      subscribe: async function* () {
        throw new Error("connect ECONNREFUSED 127.0.0.1:26658");
      },
    });
    const f = new ReplayFollower({ da: broken, config, retryDelayMs: 1, logger: silentLogger });
    await expect(f.syncTo(1n, { maxFailures: 2 })).rejects.toThrow(/stopped at height 0 after 3 failed attempts/);
  });
});
