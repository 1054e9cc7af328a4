import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { silentLogger } from "./events/logger.js";
import { EventPublisher } from "./events/publisher.js";
import { type SampleStep, sampleNetwork, sampleWorkload } from "./events/sampleWorkload.js";
import { MemoryDA } from "./memoryDA.js";
import { replayConfig } from "./replay/config.js";
import { ReplayFollower } from "./replay/follower.js";

describe("MemoryDA", () => {
  it("includes posts at increasing heights, serves them back and refuses empty blobs", async () => {
    const da = new MemoryDA();
    const a = await da.postBlob(new Uint8Array([1]));
    const b = await da.postBlob(new Uint8Array([2]));
    expect(a.layer).toBe("memory");
    expect(b.height).toBeGreaterThan(a.height);
    expect(Array.from(await da.getBlob(b))).toEqual([2]);
    expect((await da.getAll(a.height)).blobs.map((x) => x.index)).toEqual([0]);
    await expect(da.getAll(99n)).rejects.toThrow(/from the future/);
    await expect(da.getBlob({ ...a, commitment: new Uint8Array(32) })).rejects.toThrow("blob: not found");
    await expect(da.postBlob(new Uint8Array(0))).rejects.toThrow(/empty/);
    expect(await da.head()).toBe(b.height);
  });

  it("injects outages, and delayed inclusion that reorders blobs across heights", async () => {
    const da = new MemoryDA();
    da.setDown(true, "simulated outage");
    await expect(da.postBlob(new Uint8Array([1]))).rejects.toThrow("simulated outage");
    expect((await da.health()).status).toBe("down");
    da.setDown(false);
    da.setInclusionDelay((_data, i) => (i === 0 ? 3 : 0));
    const [first, second] = await Promise.all([da.postBlob(new Uint8Array([1])), da.postBlob(new Uint8Array([2]))]);
    expect(second!.height).toBeLessThan(first!.height);
  });

  it("subscription delivers every height from fromHeight, live, until aborted", async () => {
    const da = new MemoryDA({ autoSeal: false });
    da.appendHeight([new Uint8Array([1])]);
    da.appendHeight([]);
    const ctl = new AbortController();
    const got: bigint[] = [];
    const done = (async () => {
      for await (const h of da.subscribe({ fromHeight: 2n, signal: ctl.signal })) {
        got.push(h.height);
        if (got.length === 3) ctl.abort();
      }
    })();
    da.seal();
    da.appendHeight([new Uint8Array([9])]);
    await done;
    expect(got).toEqual([2n, 3n, 4n]);
  });

  it("several publishers with random inclusion delays converge to the in-order digest", async () => {
    const net = sampleNetwork(4, 2, "memory-da");
    const config = replayConfig({ coordinators: [net.coordinator.publicKey] });
    const steps = [...sampleWorkload(net, { files: 4, chunksPerFile: 3, healEvery: 4 })].filter(
      (s) => typeof s.event !== "function",
    );
    const run = async (delays: boolean): Promise<string> => {
      const dir = mkdtempSync(join(tmpdir(), "dsdn-memda-"));
      const da = new MemoryDA();
      let seed = 17;
      if (delays) {
        da.setInclusionDelay(() => {
          seed = (seed * 48271) % 2147483647;
          return seed % 4;
        });
      }
      const pubs = new Map<string, EventPublisher>();
      const pub = async (s: SampleStep) => {
        const key = String(s.by);
        if (!pubs.has(key)) {
          const actor = s.by === "coordinator" ? net.coordinator : net.nodes[s.by]!.actor;
          pubs.set(
            key,
            await EventPublisher.open({
              da,
              secretKey: actor.secretKey,
              outboxPath: join(dir, `${key}.sqlite`),
              observedHeight: () => 0n,
              maxBatchEvents: 2,
              maxDelayMs: 1,
              logger: silentLogger,
            }),
          );
        }
        return pubs.get(key)!;
      };
      for (const s of steps) await (await pub(s)).publish(s.event as never);
      for (const p of pubs.values()) await p.flush();
      for (const p of pubs.values()) await p.close();
      const f = new ReplayFollower({ da, config, logger: silentLogger });
      await f.syncToHead();
      rmSync(dir, { recursive: true, force: true });
      expect(f.machine.stats().pending).toBe(0);
      return f.digestHex();
    };
    expect(await run(true)).toBe(await run(false));
  });
});
