import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cidForBytes } from "../../../common/cid.js";
import { silentLogger } from "../../da/events/logger.js";
import type { ReplayFollower } from "../../da/replay/follower.js";
import type { ChunkInfo } from "../../da/replay/state.js";
import { loadOrCreateIdentity } from "../identity.js";
import { InFlightChunks } from "../inFlight.js";
import { LocalFsStorage } from "../localfs.js";
import { GarbageCollector } from "./garbageCollector.js";

const dir = mkdtempSync(join(tmpdir(), "dsdn-gc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("GarbageCollector", () => {
  it("deletes only chunks no live pin or placement needs, after the grace period, never fresh files", async () => {
    const id = await loadOrCreateIdentity(join(dir, "node"));
    const store = await LocalFsStorage.open(join(dir, "node"));
    const put = async () => {
      const b = randomBytes(1000);
      const cid = cidForBytes(b);
      await store.putChunk(cid, b);
      return cid;
    };
    const [placed, held, unpinned, fresh] = [await put(), await put(), await put(), await put()];
    const live = new Map<string, Partial<ChunkInfo>>([
      [placed, { placement: [id.nodeId], replicas: [] }],
      [held, { placement: ["other"], replicas: [id.nodeId] }],
    ]);
    const follower = { state: { getChunk: (cid: string) => live.get(cid) } } as unknown as ReplayFollower;
    const grace = 60_000;
    const t0 = Date.now();
    const old = (t0 - 10 * grace) / 1000;
    for (const c of [placed, held, unpinned]) utimesSync(store.pathFor(c), old, old);
    utimesSync(store.pathFor(fresh), (t0 + grace) / 1000, (t0 + grace) / 1000); // stored just before the last scan
    const gc = new GarbageCollector({ follower, storage: store, identity: id, graceMs: grace, logger: silentLogger });
    await gc.scan(t0);
    await gc.scan(t0 + grace / 2);
    expect(gc.stats).toMatchObject({ deleted: 0, waiting: 2 });
    await gc.scan(t0 + grace + 1);
    expect(await store.hasChunk(unpinned)).toBe(false);
    for (const c of [placed, held, fresh]) expect(await store.hasChunk(c)).toBe(true);
    // Needed again before its grace ran out: the clock restarts.
    live.set(fresh, { placement: [id.nodeId], replicas: [] });
    await gc.scan(t0 + 3 * grace);
    live.delete(fresh);
    await gc.scan(t0 + 3 * grace + 1);
    expect(await store.hasChunk(fresh)).toBe(true);
    expect(gc.stats).toMatchObject({ deleted: 1, bytesFreed: 1000 });
  });

  it("keeps a chunk stored under a placement ticket until the ticket expires: a slow upload never loses its first chunks", async () => {
    const id = await loadOrCreateIdentity(join(dir, "slow"));
    const store = await LocalFsStorage.open(join(dir, "slow"));
    const b = randomBytes(1000);
    const early = cidForBytes(b);
    await store.putChunk(early, b);
    const grace = 2000;
    const t0 = Date.now();
    const old = (t0 - 10 * grace) / 1000;
    utimesSync(store.pathFor(early), old, old); // stored long ago, as the upload's first chunk
    const inFlight = new InFlightChunks();
    inFlight.note(early, t0 + 10 * grace); // its placement ticket is valid for a while yet
    const follower = { state: { getChunk: () => undefined } } as unknown as ReplayFollower; // not declared yet
    const gc = new GarbageCollector({
      follower,
      storage: store,
      identity: id,
      graceMs: grace,
      inFlight,
      logger: silentLogger,
    });
    await gc.scan(t0);
    await gc.scan(t0 + 5 * grace);
    expect(await store.hasChunk(early)).toBe(true);
    // The ticket expired without a declaration: the upload can no longer be declared with it; collected after the grace.
    await gc.scan(t0 + 10 * grace + 1);
    await gc.scan(t0 + 11 * grace + 2);
    expect(await store.hasChunk(early)).toBe(false);
  });

  it("a ticket does not keep a chunk DA declared and then moved away or deleted", async () => {
    const id = await loadOrCreateIdentity(join(dir, "moved"));
    const store = await LocalFsStorage.open(join(dir, "moved"));
    const b = randomBytes(1000);
    const cid = cidForBytes(b);
    await store.putChunk(cid, b);
    const grace = 2000;
    const t0 = Date.now();
    utimesSync(store.pathFor(cid), (t0 - 10 * grace) / 1000, (t0 - 10 * grace) / 1000);
    const inFlight = new InFlightChunks();
    inFlight.note(cid, t0 + 3_600_000); // the placement ticket is valid for an hour
    // Declared, then re-placed on other nodes (a rebalancing move) and the replica record dropped.
    const follower = {
      state: {
        getChunk: () => ({ placement: ["other"], replicas: ["other"] }),
        chunks: new Map([[cid, {}]]),
      },
    } as unknown as ReplayFollower;
    const gc = new GarbageCollector({
      follower,
      storage: store,
      identity: id,
      graceMs: grace,
      inFlight,
      logger: silentLogger,
    });
    await gc.scan(t0);
    await gc.scan(t0 + grace + 1);
    expect(await store.hasChunk(cid)).toBe(false);
  });

  it("bounds what it remembers about tickets", () => {
    const f = new InFlightChunks(3);
    for (let i = 0; i < 10; i++) f.note(`c${i}`, 1000 + i);
    expect(f.size).toBe(3);
    // The ones expiring last are kept (the others fall back to the file-age rule).
    expect(f.holds("c9", 0)).toBe(true);
    expect(f.holds("c0", 0)).toBe(false);
    expect(f.holds("c9", 2000)).toBe(false);
  });
});
