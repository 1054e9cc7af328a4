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
});
