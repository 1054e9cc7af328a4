import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pubKeyToAddress, secp256k1KeyPair } from "../../common/secp256k1.js";
import { MemoryDA } from "../da/memoryDA.js";
import type { DALayer } from "../da/types.js";
import { newAccessKeyId } from "./accessKeys.js";
import { S3Ledger } from "./ledger.js";
import { type S3Record, signRecord } from "./records.js";
import { S3Index } from "./s3Index.js";

const acct = () => {
  const k = secp256k1KeyPair();
  return { ...k, address: pubKeyToAddress(k.publicKey) };
};
const gw = acct();
const owner = acct();
const tmp = mkdtempSync(join(tmpdir(), "dsdn-s3-ledger-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const post = (da: MemoryDA, r: S3Record, who = gw) =>
  da.postBlob(new TextEncoder().encode(JSON.stringify(signRecord(r, who))));
const put = (bucket: string, key: string, manifest: string, atMs: number): S3Record => ({
  type: "put",
  bucket,
  key,
  manifest,
  size: key.length,
  etag: `"${key}"`,
  contentType: "application/octet-stream",
  atMs,
});

/** A DA whose getAll calls are counted per height. */
function counting(da: DALayer): { da: DALayer; fetched: bigint[] } {
  const fetched: bigint[] = [];
  const wrapped = Object.create(da) as DALayer;
  wrapped.getAll = (h) => {
    fetched.push(h);
    return da.getAll(h);
  };
  return { da: wrapped, fetched };
}

/** What a client sees: every bucket's listing, keys and entries in order, and the pin reference counts. */
const listings = (ix: S3Index) => ({
  snapshot: ix.snapshot(),
  refs: [...ix.manifestRefs.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
});

async function populate(da: MemoryDA, n: number, from = 0) {
  for (let i = from; i < from + n; i++) {
    await post(da, put("bk1", `dir/${String(i).padStart(4, "0")}`, `m${i % 7}`, i));
    if (i % 5 === 0)
      await post(da, { type: "del", bucket: "bk1", key: `dir/${String(i - 1).padStart(4, "0")}`, atMs: i });
  }
}

async function fixture(name: string) {
  const da = new MemoryDA();
  await post(
    da,
    { type: "key", accessKeyId: newAccessKeyId(), account: owner.address, gateway: gw.address, signedAtMs: 1 },
    owner,
  );
  await post(da, { type: "bucket", bucket: "bk1", owner: owner.address, encrypt: false, atMs: 1 });
  await post(da, { type: "bucket", bucket: "bk2", owner: owner.address, encrypt: true, atMs: 2 });
  await post(da, put("bk2", "only", "mx", 3));
  await populate(da, 40);
  const path = join(tmp, `${name}.json`);
  const first = new S3Ledger(da, new S3Index(new Set([gw.address])), { path, everyHeights: 10 });
  await first.sync();
  await first.stop(); // writes the checkpoint at the head
  const at = first.daHeight;
  await populate(da, 12, 40); // records after the checkpoint
  const full = new S3Ledger(da, new S3Index(new Set([gw.address])));
  await full.sync();
  return { da, path, at, full };
}

describe("S3 index checkpoint: a restart resumes from checkpoint + cursor, not a full DA replay", () => {
  it("restores the index at the checkpoint height, replays only the heights after it, and lists the same", async () => {
    const { da, path, at, full } = await fixture("resume");
    const c = counting(da);
    const restarted = new S3Ledger(c.da, new S3Index(new Set([gw.address])), { path });
    await restarted.sync();
    const head = await da.head();
    expect(restarted.daHeight).toBe(head);
    // Only the heights after the checkpoint (plus its anchor height, read once to tie the file to this DA).
    expect(restarted.replayedHeights).toBe(Number(head - at));
    expect(c.fetched.filter((h) => h <= at)).toHaveLength(1);
    expect(listings(restarted.index)).toEqual(listings(full.index));
    // And it keeps evolving the same way: one more record on both.
    await post(da, { type: "del", bucket: "bk2", key: "only", atMs: 99 });
    await restarted.sync();
    await full.sync();
    expect(listings(restarted.index)).toEqual(listings(full.index));
    expect(restarted.index.manifestRefs.has("mx")).toBe(false);
  });

  it("checkpoints periodically while following, so a crash (no stop) still resumes near the head", async () => {
    const { da, path } = await fixture("periodic");
    rmSync(path);
    const l = new S3Ledger(da, new S3Index(new Set([gw.address])), { path, everyHeights: 10 });
    await l.sync(); // no stop(): only the periodic checkpoints exist
    const written = BigInt(JSON.parse(readFileSync(path, "utf8")).height);
    expect(written).toBeGreaterThan(0n);
    expect(l.daHeight - written).toBeLessThan(10n);
  });

  it("a corrupt, foreign or ahead-of-DA checkpoint is not used: the namespace is replayed in full, same result", async () => {
    const { da, path, full } = await fixture("bad");
    const good = readFileSync(path, "utf8");
    const head = await da.head();
    const replayFull = async (why: string, ix = new S3Index(new Set([gw.address])), d: DALayer = da) => {
      const lines: string[] = [];
      const l = new S3Ledger(d, ix, { path, log: (x) => lines.push(x) });
      await l.sync();
      expect(lines.join("\n"), why).toMatch(/not used/);
      return l;
    };
    // A flipped byte inside the index (a key renamed): the checksum catches it.
    writeFileSync(path, good.replace('"dir/0003"', '"dir/0xx3"'));
    const a = await replayFull("altered");
    expect(a.replayedHeights).toBe(Number(head));
    expect(listings(a.index)).toEqual(listings(full.index));
    // Truncated.
    writeFileSync(path, good.slice(0, good.length / 2));
    expect((await replayFull("truncated")).replayedHeights).toBe(Number(head));
    // Taken under another set of trusted gateways.
    writeFileSync(path, good);
    const other = acct();
    await replayFull("other gateways", new S3Index(new Set([gw.address, other.address])));
    // Another DA (e.g. a reset localnet) whose same heights carry other records.
    const fresh = new MemoryDA();
    for (let i = 0; i < Number(head); i++) await post(fresh, put("bk9", `k${i}`, "m", i));
    await replayFull("another DA", new S3Index(new Set([gw.address])), fresh);
    // A DA that is behind the checkpoint.
    await replayFull("behind", new S3Index(new Set([gw.address])), new MemoryDA());
  });
});
