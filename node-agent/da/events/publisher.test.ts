import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BaseError, ErrorCode } from "../../../common/errors.js";
import { NodeStatus } from "../../../proto/gen/dsdn/da/v1/events.js";
import { MemoryDA } from "../memoryDA.js";
import { replayConfig } from "../replay/config.js";
import { ReplayMachine } from "../replay/machine.js";
import type { BlobRef, DALayer } from "../types.js";
import type { DAEventInput } from "./event.js";
import type { DALogger } from "./logger.js";
import { EventPublisher, type PostFailure } from "./publisher.js";
import { sampleActor } from "./sampleWorkload.js";

const coordinator = sampleActor("publisher-test/coordinator");
const config = replayConfig({ coordinators: [coordinator.publicKey] });
const targets = Array.from({ length: 40 }, (_, i) => sampleActor(`publisher-test/node-${i}`));
const statusEvent = (i: number): DAEventInput => ({
  type: "nodeStatusChanged",
  value: { nodeId: Buffer.from(targets[i % targets.length]!.publicKey), status: (i % 5) + 1, reason: `step ${i}` },
});

function captureLogger(): DALogger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (m: string, meta?: Readonly<Record<string, unknown>>) => {
    lines.push(`${level} ${m} ${JSON.stringify(meta ?? {}, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`);
  };
  return { lines, info: push("info"), warn: push("warn"), error: push("error") };
}

async function replayAll(da: MemoryDA): Promise<ReplayMachine> {
  const m = new ReplayMachine(config);
  const head = await da.head();
  for (let h = 1n; h <= head; h++) m.applyHeight(await da.getAll(h));
  return m;
}

/** Sequences of the coordinator as they appear on DA, in order, counting copies. */
async function postedSequences(da: MemoryDA): Promise<bigint[]> {
  const { openedEvents } = await import("./openedEvents.js");
  const out: bigint[] = [];
  const head = await da.head();
  for (let h = 1n; h <= head; h++) for (const e of openedEvents((await da.getAll(h)).blobs)) out.push(e.sequence);
  return out;
}

const until = async (cond: () => boolean | Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("EventPublisher", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "dsdn-publisher-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const open = (da: DALayer, extra: Partial<Parameters<typeof EventPublisher.open>[0]> = {}) =>
    EventPublisher.open({
      da,
      secretKey: coordinator.secretKey,
      outboxPath: join(dir, "outbox.sqlite"),
      observedHeight: () => 0n,
      maxDelayMs: 5,
      retryInitialMs: 10,
      retryMaxMs: 40,
      logger: captureLogger(),
      ...extra,
    });

  it("numbers events from 1, batches them into blobs and posts them in order", async () => {
    const da = new MemoryDA();
    const p = await open(da, { maxBatchEvents: 7 });
    const seqs = await p.publishMany(Array.from({ length: 30 }, (_, i) => statusEvent(i)));
    expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => BigInt(i + 1)));
    const last = await p.publishAndWait(statusEvent(30));
    expect(last.sequence).toBe(31n);
    await p.flush();
    expect(p.queued).toBe(0);
    const posted = await postedSequences(da);
    expect(posted).toEqual(Array.from({ length: 31 }, (_, i) => BigInt(i + 1)));
    const blobs = (
      await Promise.all(Array.from({ length: Number(await da.head()) }, (_, i) => da.getAll(BigInt(i + 1))))
    ).flatMap((h) => h.blobs);
    expect(blobs.length).toBeGreaterThanOrEqual(5); // 31 events at most 7 per blob
    const m = await replayAll(da);
    expect(m.stats().applied).toBe(31);
    expect(m.appliedSequence(coordinator.publicKey)).toBe(31n);
    await p.close();
  });

  it("while DA is down: publish still succeeds (outbox), errors are logged clearly, and everything posts when DA returns", async () => {
    const da = new MemoryDA();
    const logger = captureLogger();
    const p = await open(da, { logger });
    const failures: PostFailure[] = [];
    p.on("post-failed", (f: PostFailure) => failures.push(f));
    await p.publishAndWait(statusEvent(0));
    da.setDown(true, "connection refused (simulated outage)");
    for (let i = 1; i <= 20; i++) await p.publish(statusEvent(i));
    await until(() => failures.length >= 3);
    expect(p.queued).toBe(20);
    expect(p.lastError?.error.message).toContain("connection refused");
    expect(failures[1]!.retryInMs).toBeGreaterThan(failures[0]!.retryInMs); // backoff grows
    const err = logger.lines.find((l) => l.startsWith("error"))!;
    expect(err).toContain("DA post failed (memory)");
    expect(err).toMatch(/\d+ event\(s\) kept in the outbox, retry in \d+ ms/);
    da.setDown(false);
    await p.flush();
    expect(logger.lines.some((l) => l.includes("DA reachable again"))).toBe(true);
    expect(await postedSequences(da)).toEqual(Array.from({ length: 21 }, (_, i) => BigInt(i + 1)));
    await p.close();
  });

  it("survives a publisher restart during an outage: nothing lost, no sequence reused, original order kept", async () => {
    const da = new MemoryDA();
    const p1 = await open(da);
    await p1.publishAndWait(statusEvent(0));
    da.setDown(true);
    await p1.publishMany([statusEvent(1), statusEvent(2), statusEvent(3)]);
    await p1.close(); // "process exits" with 3 events only in the outbox
    const p2 = await open(da);
    expect(p2.queued).toBe(3);
    expect(p2.sequence).toBe(5n);
    await p2.publish(statusEvent(4));
    da.setDown(false);
    await p2.flush();
    expect(await postedSequences(da)).toEqual([1n, 2n, 3n, 4n, 5n]);
    await p2.close();

    // Same events through one uninterrupted publisher → same state digest.
    const da2 = new MemoryDA();
    rmSync(join(dir, "outbox.sqlite"));
    const q = await open(da2);
    await q.publishMany([0, 1, 2, 3, 4].map(statusEvent));
    await q.flush();
    await q.close();
    expect((await replayAll(da)).digestHex()).toBe((await replayAll(da2)).digestHex());
  });

  it("a blob included but whose reply was lost is posted again; replay drops the copy", async () => {
    const inner = new MemoryDA();
    let failNext = true;
    const lossy: DALayer = Object.assign(Object.create(inner) as MemoryDA, {
      postBlob: async (data: Uint8Array): Promise<BlobRef> => {
        const ref = await inner.postBlob(data);
        if (failNext) {
          failNext = false;
          throw new BaseError(ErrorCode.Timeout, "blob.Submit: context deadline exceeded");
        }
        return ref;
      },
    });
    const p = await open(lossy);
    await p.publishMany([0, 1, 2].map(statusEvent));
    await p.flush();
    await p.close();
    expect(await postedSequences(inner)).toEqual([1n, 2n, 3n, 1n, 2n, 3n]);
    const m = await replayAll(inner);
    expect(m.stats().duplicates).toBe(3);
    expect(m.stats().applied).toBe(3);
  });

  it("continues after knownSequence when its outbox is new, and refuses another key's outbox or a second process", async () => {
    const da = new MemoryDA();
    const p = await open(da, { knownSequence: 41n });
    expect(await p.publish(statusEvent(0))).toBe(42n);
    // Still open: the outbox is locked.
    await expect(open(da)).rejects.toThrow(/cannot open DA outbox/);
    await p.close();
    const other = sampleActor("someone-else");
    await expect(open(da, { secretKey: other.secretKey })).rejects.toThrow(/belongs to publisher/);
    const again = await open(da, { knownSequence: 10n });
    expect(again.sequence).toBe(43n);
    await again.close();
  });

  it("stamps observed heights that never go backwards, even across restarts", async () => {
    const da = new MemoryDA();
    let h = 9n;
    const p = await open(da, { observedHeight: () => h });
    await p.publishAndWait(statusEvent(0));
    h = 3n; // a follower restarting from an older checkpoint
    await p.publishAndWait(statusEvent(1));
    await p.close();
    const q = await open(da, { observedHeight: () => 0n });
    await q.publishAndWait(statusEvent(2));
    await q.close();
    const { openedEvents } = await import("./openedEvents.js");
    const observed: bigint[] = [];
    for (let x = 1n; x <= (await da.head()); x++)
      for (const e of openedEvents((await da.getAll(x)).blobs)) observed.push(e.observedHeight);
    expect(observed).toEqual([9n, 9n, 9n]);
  });

  it("refuses an event too large for a blob, and publishing after close", async () => {
    const da = new MemoryDA();
    const p = await open(da, { maxBatchBytes: 300 });
    await expect(
      p.publish({ type: "replicaAdded", value: { cid: "x", nodeId: Buffer.alloc(32), ack: Buffer.alloc(400) } }),
    ).rejects.toThrow(/does not fit/);
    await p.close();
    await expect(p.publish(statusEvent(0))).rejects.toThrow(/closed/);
    expect(NodeStatus.NODE_STATUS_ACTIVE).toBe(2);
  });
});
