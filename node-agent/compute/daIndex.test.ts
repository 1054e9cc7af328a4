import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { nativeSigner } from "../../common/ed25519Native.js";
import { toHex } from "../../common/hash.js";
import { encodeBatch } from "../da/events/batch.js";
import { signEnvelope } from "../da/events/envelope.js";
import type { DAEventInput } from "../da/events/event.js";
import { MemoryDA } from "../da/memoryDA.js";
import { ComputeIndex, scanComputeRecords } from "./daIndex.js";

const coord = ed25519KeyPair(new Uint8Array(32).fill(1));
const stranger = ed25519KeyPair(new Uint8Array(32).fill(2));
const coordHex = toHex(coord.publicKey);
let seq = 0n;

function envelope(key: ReturnType<typeof ed25519KeyPair>, event: DAEventInput): Uint8Array {
  seq += 1n;
  return signEnvelope(
    { publisher: key.publicKey, sequence: seq, observedHeight: 0n, event },
    nativeSigner(key.secretKey, key.publicKey),
  );
}
const wid = (n: number) => Buffer.alloc(32, n);
const scheduledEv = (n: number): DAEventInput => ({
  type: "workloadScheduled",
  value: {
    workloadId: wid(n),
    submission: Buffer.from(`submission ${n}`),
    nodeIds: [Buffer.alloc(32, 100 + n)],
    chainHeight: BigInt(n),
    heartbeats: [],
  },
});
const reportedEv = (n: number, text: string): DAEventInput => ({
  type: "computeReported",
  value: { workloadId: wid(n), nodeId: Buffer.alloc(32, 100 + n), result: Buffer.from(text) },
});

/** One sealed DA height holding `blobs` (each a batch of envelopes). */
async function height(da: MemoryDA, ...blobs: Uint8Array[][]): Promise<void> {
  const posted = blobs.map((envs) => da.postBlob(encodeBatch(envs)));
  await new Promise((r) => setImmediate(r)); // the posts are queued after the DA's gate
  da.seal();
  await Promise.all(posted);
}

/** DA reads counted per height, to see what a restart re-reads. */
function counting(da: MemoryDA) {
  const reads: bigint[] = [];
  return {
    reads,
    head: () => da.head(),
    getAll: (h: bigint) => {
      reads.push(h);
      return da.getAll(h);
    },
  };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("compute index (incremental from DA, cursor in SQLite)", () => {
  it("a restart resumes from the cursor, reads only new heights and answers as a full scan does", async () => {
    const da = new MemoryDA({ autoSeal: false });
    await height(da, [envelope(coord, scheduledEv(1))]);
    await height(da, [envelope(coord, reportedEv(1, "r1")), envelope(stranger, scheduledEv(2))], [new Uint8Array(9)]);
    await height(da, [envelope(stranger, reportedEv(1, "forged relay")), envelope(coord, scheduledEv(3))]);
    const dir = mkdtempSync(join(tmpdir(), "compute-index-"));
    dirs.push(dir);
    const path = join(dir, "compute-index.sqlite");

    const first = counting(da);
    let idx = ComputeIndex.open({ path, da: first, coordinators: [coordHex] });
    expect(await idx.scheduled(toHex(wid(1)))).toMatchObject({ daHeight: 1n });
    expect(await idx.scheduled(toHex(wid(2)))).toBeUndefined(); // not a coordinator's record
    expect((await idx.reports(toHex(wid(1)))).map((r) => Buffer.from(r).toString())).toEqual(["r1"]);
    expect(idx.cursor).toBe(3n);
    expect(first.reads).toEqual([1n, 2n, 3n]);
    idx.close();

    // While it is down, DA goes on; the restarted index reads heights 4 and 5 only.
    await height(da, [envelope(coord, scheduledEv(4)), envelope(coord, scheduledEv(1))]);
    await height(da, [envelope(coord, reportedEv(4, "r4"))]);
    const second = counting(da);
    idx = ComputeIndex.open({ path, da: second, coordinators: [coordHex] });
    expect(idx.cursor).toBe(3n);
    const full = await scanComputeRecords(da, [coordHex]);
    for (const n of [1, 2, 3, 4]) {
      const got = await idx.scheduled(toHex(wid(n)));
      const want = full.scheduled.get(toHex(wid(n)));
      expect(got?.daHeight).toBe(want?.daHeight); // the first record counts (height 1 for workload 1)
      expect(got && toHex(got.event.submission)).toBe(want && toHex(want.event.submission));
    }
    for (const n of [1, 4])
      expect((await idx.reports(toHex(wid(n)))).map((r) => toHex(r))).toEqual(
        full.reports.filter((r) => r.workloadId === toHex(wid(n))).map((r) => toHex(r.result)),
      );
    expect(second.reads).toEqual([4n, 5n]);
    expect(idx.recent(2).map((w) => w.id)).toEqual([toHex(wid(3)), toHex(wid(4))]);
    idx.close();

    // Other replay rules (another coordinator set): the index is rebuilt from height 1, never reused.
    const third = counting(da);
    idx = ComputeIndex.open({ path, da: third, coordinators: [toHex(stranger.publicKey)] });
    expect(await idx.scheduled(toHex(wid(1)))).toBeUndefined();
    expect(await idx.scheduled(toHex(wid(2)))).toMatchObject({ daHeight: 2n });
    expect(third.reads).toEqual([1n, 2n, 3n, 4n, 5n]);
    idx.close();
  });

  it("reads at most maxHeightsPerSync heights per sync; a lookup still catches up with DA's head", async () => {
    const da = new MemoryDA({ autoSeal: false });
    for (let n = 1; n <= 5; n++) await height(da, [envelope(coord, scheduledEv(n))]);
    const idx = ComputeIndex.open({ path: ":memory:", da, coordinators: [coordHex], maxHeightsPerSync: 2n });
    expect(await idx.sync()).toBe(2);
    expect(idx.cursor).toBe(2n);
    expect(await idx.scheduled(toHex(wid(5)))).toMatchObject({ daHeight: 5n });
    expect(idx.cursor).toBe(5n);
    idx.close();
  });
});
