import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cidForBytes } from "../../common/cid.js";
import { LocalFsStorage } from "./localfs.js";

const root = mkdtempSync(join(tmpdir(), "dsdn-localfs-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of stream) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

async function* pieces(data: Buffer, size: number) {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

describe("LocalFsStorage", () => {
  let store: LocalFsStorage;
  let dir: string;
  let corrupt: string[];
  beforeEach(async () => {
    dir = mkdtempSync(join(root, "s-"));
    corrupt = [];
    store = await LocalFsStorage.open(dir, { onCorrupt: (cid) => corrupt.push(cid) });
  });

  it("writes, reads back, lists and deletes a chunk at objects/<fanout>/<cid>", async () => {
    const data = randomBytes(3 * 1024 * 1024 + 5);
    const cid = cidForBytes(data);
    const put = await store.putChunk(cid, pieces(data, 65536));
    expect(put).toEqual({ cid, size: data.length, created: true });
    expect(existsSync(join(dir, "objects", cid.slice(-2), cid))).toBe(true);
    expect(readdirSync(join(dir, "tmp"))).toEqual([]);
    expect(await store.hasChunk(cid)).toBe(true);
    expect((await store.statChunk(cid))?.size).toBe(data.length);
    const read = await store.getChunk(cid);
    expect((await collect(read!.stream)).equals(data)).toBe(true);
    const listed: string[] = [];
    for await (const c of store.list()) listed.push(c.cid);
    expect(listed).toEqual([cid]);
    expect(store.stats()).toEqual({ chunks: 1, bytes: data.length });
    expect((await store.putChunk(cid, data)).created).toBe(false);
    expect(await store.deleteChunk(cid)).toBe(true);
    expect(await store.hasChunk(cid)).toBe(false);
    expect(await store.getChunk(cid)).toBeNull();
    expect(await store.deleteChunk(cid)).toBe(false);
    expect(store.stats()).toEqual({ chunks: 0, bytes: 0 });
  });

  describe("durability of what it acknowledges", () => {
    // The FileHandle class is not exported; its prototype is reached through an open handle.
    let proto: { sync(): Promise<void>; datasync(): Promise<void>; writev(b: Uint8Array[]): Promise<unknown> };
    beforeEach(async () => {
      const fh = await open(join(root, "probe"), "w");
      proto = Object.getPrototypeOf(fh);
      await fh.close();
    });
    afterEach(() => vi.restoreAllMocks());

    it("syncs the data while it arrives and fsyncs the file after its last write, before the put resolves", async () => {
      const calls: string[] = [];
      const wrap = (name: "sync" | "datasync" | "writev") => {
        const real = proto[name] as (...a: unknown[]) => Promise<unknown>;
        vi.spyOn(proto, name).mockImplementation(async function (this: unknown, ...a: unknown[]) {
          const r = await real.apply(this, a);
          calls.push(name);
          return r as never;
        });
      };
      for (const name of ["sync", "datasync", "writev"] as const) wrap(name);
      const data = randomBytes(20 * 1024 * 1024);
      const cid = cidForBytes(data);
      expect((await store.putChunk(cid, pieces(data, 256 * 1024))).created).toBe(true);
      // 20 MiB: background fdatasyncs overlap the receive (one per 8 MiB written) ...
      expect(calls.filter((c) => c === "datasync").length).toBeGreaterThanOrEqual(2);
      // ... and the fsync the ack depends on comes after every write and every background sync.
      expect(calls.lastIndexOf("sync")).toBeGreaterThan(calls.lastIndexOf("writev"));
      expect(calls.lastIndexOf("sync")).toBeGreaterThan(calls.lastIndexOf("datasync"));
      expect(readFileSync(join(dir, "objects", cid.slice(-2), cid)).equals(data)).toBe(true);
    });

    it("a background sync that fails (EIO) fails the put and stores nothing", async () => {
      vi.spyOn(proto, "datasync").mockRejectedValue(Object.assign(new Error("EIO: i/o error"), { code: "EIO" }));
      const data = randomBytes(20 * 1024 * 1024);
      const cid = cidForBytes(data);
      await expect(store.putChunk(cid, pieces(data, 256 * 1024))).rejects.toThrow(/EIO|i\/o/i);
      expect(await store.hasChunk(cid)).toBe(false);
      expect(readdirSync(join(dir, "tmp"))).toEqual([]);
      vi.restoreAllMocks();
      // Nothing is held against the chunk: the next, healthy attempt stores it.
      expect((await store.putChunk(cid, data)).created).toBe(true);
    });
  });

  it("refuses bytes that do not hash to the CID and stores nothing", async () => {
    const cid = cidForBytes(Buffer.from("the real bytes"));
    await expect(store.putChunk(cid, Buffer.from("other bytes"))).rejects.toMatchObject({ code: "DSDN_INTEGRITY" });
    expect(await store.hasChunk(cid)).toBe(false);
    expect(readdirSync(join(dir, "tmp"))).toEqual([]);
  });

  it("refuses a body over the limit and stores nothing", async () => {
    const data = randomBytes(5000);
    await expect(store.putChunk(cidForBytes(data), pieces(data, 1000), { maxBytes: 4096 })).rejects.toMatchObject({
      code: "DSDN_TOO_LARGE",
    });
    expect(await store.hasChunk(cidForBytes(data))).toBe(false);
    expect(readdirSync(join(dir, "tmp"))).toEqual([]);
  });

  it("refuses malformed CIDs before touching the disk", async () => {
    await expect(store.putChunk("not-a-cid", Buffer.from("x"))).rejects.toMatchObject({
      code: "DSDN_INVALID_ARGUMENT",
    });
    await expect(store.hasChunk("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi")).rejects.toThrow(
      /unsupported CID/,
    );
  });

  it("serves byte ranges of a verified chunk", async () => {
    const data = randomBytes(10_000);
    const cid = cidForBytes(data);
    await store.putChunk(cid, data);
    const r = await store.getChunk(cid, { start: 100, end: 199 });
    expect((await collect(r!.stream)).equals(data.subarray(100, 200))).toBe(true);
    await expect(store.getChunk(cid, { start: 5, end: 10_000 })).rejects.toThrow(/outside/);
  });

  it("detects a chunk corrupted on disk: the stream errors before its last piece, the chunk is quarantined and never served", async () => {
    const data = randomBytes(4 * 1024 * 1024);
    const cid = cidForBytes(data);
    await store.putChunk(cid, data);
    const path = join(dir, "objects", cid.slice(-2), cid);
    const bad = Buffer.from(readFileSync(path));
    bad[123_456] ^= 0xff;
    writeFileSync(path, bad);
    const r = await store.getChunk(cid);
    let received = 0;
    await expect(
      (async () => {
        for await (const p of r!.stream) received += (p as Buffer).length;
      })(),
    ).rejects.toMatchObject({ code: "DSDN_INTEGRITY" });
    expect(received).toBeLessThan(data.length);
    expect(corrupt).toEqual([cid]);
    expect(await store.hasChunk(cid)).toBe(false);
    expect(readdirSync(join(dir, "quarantine")).some((f) => f.startsWith(cid))).toBe(true);
    expect(await store.getChunk(cid)).toBeNull();
    expect(store.wasQuarantined(cid)).toBe(true);
    expect((await LocalFsStorage.open(dir)).wasQuarantined(cid)).toBe(true);
    await store.putChunk(cid, data);
    expect(store.wasQuarantined(cid)).toBe(false);
    expect((await collect((await store.getChunk(cid))!.stream)).equals(data)).toBe(true);
  });

  it("refuses bytes altered right after the store (stored chunks are served unhashed while their stamp holds)", async () => {
    // A stored chunk is marked verified by its file stamp, so reads skip a second hash. File times are per
    // kernel tick: a same-size write landing in the tick of the store must still change the stamp.
    for (let i = 0; i < 40; i++) {
      const data = randomBytes(4096);
      const cid = cidForBytes(data);
      await store.putChunk(cid, data);
      const fd = openSync(store.pathFor(cid), "r+");
      writeSync(fd, Buffer.from([data[7]! ^ 1]), 0, 1, 7);
      closeSync(fd);
      const whole = i % 2 === 0;
      const read = whole
        ? store.getChunk(cid).then((r) => collect(r!.stream))
        : store.getChunk(cid, { start: 0, end: 9 });
      await expect(read, `attempt ${i}`).rejects.toMatchObject({ code: "DSDN_INTEGRITY" });
      expect(await store.hasChunk(cid)).toBe(false);
    }
    expect(corrupt).toHaveLength(40);
  });

  it("refuses a range of a corrupted chunk before sending anything", async () => {
    const data = randomBytes(20_000);
    const cid = cidForBytes(data);
    await store.putChunk(cid, data);
    const path = join(dir, "objects", cid.slice(-2), cid);
    writeFileSync(path, Buffer.concat([data.subarray(0, 19_999), Buffer.from([data[19_999]! ^ 1])]));
    await expect(store.getChunk(cid, { start: 0, end: 9 })).rejects.toMatchObject({ code: "DSDN_INTEGRITY" });
    expect(await store.hasChunk(cid)).toBe(false);
  });

  it("drops leftover temp files and counts existing chunks when reopened", async () => {
    const data = randomBytes(100);
    await store.putChunk(cidForBytes(data), data);
    writeFileSync(join(dir, "tmp", "crashed.part"), "half");
    const again = await LocalFsStorage.open(dir);
    expect(readdirSync(join(dir, "tmp"))).toEqual([]);
    expect(again.stats()).toEqual({ chunks: 1, bytes: 100 });
  });
});
