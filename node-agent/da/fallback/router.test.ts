/** @module FallbackRouter over in-memory layers: failover ladder, ordered reconciliation, no loss or duplicate, crash mid-repost. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CelestiaDA } from "../celestia/celestiaDA.js";
import { namespaceFromName } from "../commitment/namespace.js";
import { openedEvents } from "../events/openedEvents.js";
import { EventPublisher } from "../events/publisher.js";
import { LocalDAServer } from "../localserver/server.js";
import { MemoryDA } from "../memoryDA.js";
import type { DALayer, DALayerName } from "../types.js";
import { FallbackJournal } from "./journal.js";
import { type FallbackActivation, FallbackRouter } from "./router.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "dsdn-fallback-"));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A MemoryDA under another layer name (refs carry it, so the router can tell layers apart). */
function named(mem: MemoryDA, layer: DALayerName): DALayer {
  return {
    layer,
    postBlob: async (d) => ({ ...(await mem.postBlob(d)), layer }),
    getBlob: (r) => mem.getBlob({ ...r, layer: "memory" }),
    getAll: (h) => mem.getAll(h),
    head: () => mem.head(),
    subscribe: (o) => mem.subscribe(o),
    health: () => mem.health(),
    close: () => mem.close(),
  };
}

async function setup(opts: { secondary?: boolean } = {}) {
  const dir = tmp();
  const p = new MemoryDA();
  const s = new MemoryDA();
  const e = new MemoryDA();
  let clock = 1_000;
  const router = new FallbackRouter({
    primary: named(p, "celestia"),
    ...(opts.secondary === false ? {} : { secondary: named(s, "validator-quorum") }),
    emergency: named(e, "emergency"),
    journalPath: join(dir, "journal.db"),
    thresholds: { warnLatencyMs: 50, degradedAfterMs: 100, emergencyAfterMs: 1000 },
    now: () => clock,
    logger: { info() {}, warn() {}, error() {} },
  });
  cleanups.push(() => router.close());
  const transitions: FallbackActivation[] = [];
  router.on("transition", (a: FallbackActivation) => transitions.push(a));
  return { dir, p, s, e, router, transitions, advance: (ms: number) => (clock += ms) };
}

/** Every envelope (publisher, sequence) in a layer's blobs, in log order. */
async function eventsOf(mem: MemoryDA): Promise<string[]> {
  const out: string[] = [];
  const head = await mem.head();
  for (let h = 1n; h <= head; h++)
    for (const o of openedEvents((await mem.getAll(h)).blobs)) out.push(`${o.publisherHex.slice(0, 8)}:${o.sequence}`);
  return out;
}

describe("FallbackRouter", () => {
  it("Healthy → Warning → Degraded → Emergency → Recovering → Healthy; writes follow; reconciliation keeps order", async () => {
    const { p, s, e, router, transitions, advance } = await setup();
    const post = (t: string) => router.postBlob(new TextEncoder().encode(t));
    expect((await post("a")).layer).toBe("celestia");
    p.setDown(true);
    expect(await router.checkHealth()).toBe("warning");
    await expect(post("b-fails")).rejects.toThrow(/down/); // Warning still writes to the primary
    advance(100);
    expect(await router.checkHealth()).toBe("degraded");
    expect((await post("b")).layer).toBe("validator-quorum");
    expect((await post("c")).layer).toBe("validator-quorum");
    s.setDown(true);
    advance(10);
    expect(await router.checkHealth()).toBe("emergency");
    expect((await post("d")).layer).toBe("emergency");
    expect(router.pendingReconcile).toBe(3);
    p.setDown(false);
    advance(10);
    expect(await router.checkHealth()).toBe("healthy"); // Recovering, reconciled in the same round
    expect((await post("e")).layer).toBe("celestia");
    expect(transitions.map((t) => `${t.from}>${t.to}@${t.layer}`)).toEqual([
      "healthy>warning@celestia",
      "warning>degraded@validator-quorum",
      "degraded>emergency@emergency",
      "emergency>recovering@celestia",
      "recovering>healthy@celestia",
    ]);
    const head = await p.head();
    const onPrimary: string[] = [];
    for (let h = 1n; h <= head; h++)
      for (const b of (await p.getAll(h)).blobs) onPrimary.push(new TextDecoder().decode(b.data));
    expect(onPrimary).toEqual(["a", "b", "c", "d", "e"]);
    expect(router.pendingReconcile).toBe(0);
    expect(router.reconciledTotal).toBe(3n);
    // Fallback layers keep their copies.
    s.setDown(false);
    expect((await s.getAll(1n)).blobs.length + (await e.getAll(1n)).blobs.length).toBeGreaterThan(0);
  });

  it("Degraded without a secondary configured goes straight on to Emergency at the next round", async () => {
    const { p, router, advance } = await setup({ secondary: false });
    p.setDown(true);
    await router.checkHealth();
    advance(100);
    expect(await router.checkHealth()).toBe("degraded");
    advance(1);
    expect(await router.checkHealth()).toBe("emergency");
    expect((await router.postBlob(Uint8Array.of(1))).layer).toBe("emergency");
  });

  it("a slow primary (probe latency above the threshold) is Warning and still gets the writes", async () => {
    const { p, router } = await setup();
    p.setLatency(80);
    expect(await router.checkHealth()).toBe("warning");
    expect((await router.postBlob(Uint8Array.of(1))).layer).toBe("celestia");
  });

  it("a publisher under load loses and duplicates nothing across the whole outage", async () => {
    const { dir, p, s, router, advance } = await setup();
    const pub = await EventPublisher.open({
      da: router,
      secretKey: new Uint8Array(32).fill(7),
      outboxPath: join(dir, "outbox.db"),
      maxDelayMs: 1,
      retryInitialMs: 5,
      retryMaxMs: 20,
      observedHeight: () => 0n,
      logger: { info() {}, warn() {}, error() {} },
    });
    cleanups.push(() => pub.close());
    const publishSome = async (n: number) => {
      for (let i = 0; i < n; i++)
        await pub.publish({
          type: "nodeStatusChanged",
          value: { nodeId: Buffer.alloc(32), status: 2, reason: `${i}` },
        });
    };
    await publishSome(20);
    await pub.flush();
    p.setDown(true);
    await router.checkHealth();
    await publishSome(10); // queued in the outbox while Warning fails
    advance(150);
    await router.checkHealth(); // Degraded: the outbox drains to the secondary
    await pub.flush();
    await publishSome(10);
    await pub.flush();
    p.setDown(false);
    advance(10);
    await router.checkHealth();
    await publishSome(10);
    await pub.flush();
    const events = await eventsOf(p);
    expect(events.length).toBe(50);
    expect(new Set(events).size).toBe(50);
    expect(events.map((x) => Number(x.split(":")[1]))).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await eventsOf(s)).length).toBeGreaterThan(0);
  });

  it("a crash after reposting but before the journal noted it: found on the primary, not posted twice", async () => {
    const dir = tmp();
    const p = new MemoryDA();
    const data = new TextEncoder().encode("reposted before the crash");
    const j = FallbackJournal.open(join(dir, "journal.db"));
    j.add({ layer: "validator-quorum", height: 5n, commitment: new Uint8Array(32), namespace: new Uint8Array() }, data);
    const [entry] = j.pending();
    j.markPosting(entry!.id, await p.head());
    await p.postBlob(data); // the repost reached the primary; then the process died
    j.close();
    const router = new FallbackRouter({
      primary: named(p, "celestia"),
      journalPath: join(dir, "journal.db"),
      logger: { info() {}, warn() {}, error() {} },
    });
    cleanups.push(() => router.close());
    const found: boolean[] = [];
    router.on("reconciled", (r: { found: boolean }) => found.push(r.found));
    await router.postBlob(new TextEncoder().encode("next"));
    expect(found).toEqual([true]);
    const all: string[] = [];
    for (let h = 1n; h <= (await p.head()); h++)
      for (const b of (await p.getAll(h)).blobs) all.push(new TextDecoder().decode(b.data));
    expect(all).toEqual(["reposted before the crash", "next"]);
  });

  it("the journal refuses blobs past its byte bound (the publisher keeps them) and survives reopening", async () => {
    const dir = tmp();
    const j = FallbackJournal.open(join(dir, "j.db"), { maxBytes: 10 });
    const ref = {
      layer: "emergency" as const,
      height: 1n,
      commitment: new Uint8Array(32),
      namespace: new Uint8Array(),
    };
    j.add(ref, new Uint8Array(8));
    expect(() => j.add(ref, new Uint8Array(8))).toThrow(/journal is full/);
    j.close();
    const again = FallbackJournal.open(join(dir, "j.db"));
    expect(again.count()).toBe(1);
    again.close();
  });

  it("reconciliation batches several blobs per primary submission (postBlobs), still in the original order", async () => {
    const dir = tmp();
    const mem = new MemoryDA();
    const groups: number[] = [];
    const primary: DALayer = {
      ...named(mem, "celestia"),
      postBlobs: async (datas) => {
        const h = mem.appendHeight(datas);
        groups.push(datas.length);
        return datas.map(() => ({
          layer: "celestia" as const,
          height: h,
          commitment: new Uint8Array(32),
          namespace: mem.namespace,
        }));
      },
    };
    const emergency = new MemoryDA();
    let clock = 0;
    const router = new FallbackRouter({
      primary,
      emergency: named(emergency, "emergency"),
      journalPath: join(dir, "j.db"),
      thresholds: { warnLatencyMs: 50, degradedAfterMs: 10, emergencyAfterMs: 20 },
      reconcileBatch: 4,
      reconcileBatchBytes: 1000,
      now: () => clock,
      logger: { info() {}, warn() {}, error() {} },
    });
    cleanups.push(() => router.close());
    mem.setDown(true);
    await router.checkHealth();
    clock += 30;
    expect(await router.checkHealth()).toBe("emergency");
    const sizes = [10, 10, 10, 10, 10, 600, 600, 10];
    for (const [i, n] of sizes.entries()) await router.postBlob(new Uint8Array(n).fill(i));
    mem.setDown(false);
    expect(await router.checkHealth()).toBe("healthy");
    // 4 small (batch cap), then 1 small + 1 × 600 (byte cap 1000), then 600 + 10.
    expect(groups).toEqual([4, 2, 2]);
    const order: number[] = [];
    for (let h = 1n; h <= (await mem.head()); h++) for (const b of (await mem.getAll(h)).blobs) order.push(b.data[0]!);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("CelestiaDA.postBlobs against the real local DA server: one height, index order kept", async () => {
    const dir = tmp();
    const server = await LocalDAServer.start({ dataDir: dir, port: 0, blockTimeMs: 50 });
    cleanups.push(() => server.stop());
    const c = new CelestiaDA({
      url: server.url,
      authToken: server.tokens.write,
      namespace: namespaceFromName("dsdn-batch"),
      verifyInclusion: false,
    });
    cleanups.push(() => c.close());
    const datas = ["first", "second", "third"].map((t) => new TextEncoder().encode(t));
    const refs = await c.postBlobs(datas);
    expect(new Set(refs.map((r) => r.height)).size).toBe(1);
    const all = await c.getAll(refs[0]!.height);
    expect(all.blobs.map((b) => new TextDecoder().decode(b.data))).toEqual(["first", "second", "third"]);
    expect(all.blobs.map((b) => b.index)).toEqual([...all.blobs.map((b) => b.index)].sort((a, b) => a - b));
  });

  it("refuses two layers with the same name (refs could not be told apart)", () => {
    const dir = tmp();
    expect(
      () => new FallbackRouter({ primary: new MemoryDA(), secondary: new MemoryDA(), journalPath: join(dir, "j.db") }),
    ).toThrow(/distinct names/);
  });
});
