import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cidForBytes } from "../../common/cid.js";
import { ChunkBufferPool, chunkCids, parseSize, readFileChunks } from "./chunker.js";

const dir = mkdtempSync(join(tmpdir(), "dsdn-chunker-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function chunksOf(bytes: Buffer, size: number) {
  const path = join(dir, `f-${bytes.length}-${size}`);
  writeFileSync(path, bytes);
  const out: { index: number; offset: number; bytes: Buffer }[] = [];
  for await (const c of readFileChunks(path, size)) out.push({ ...c, bytes: Buffer.from(c.bytes) });
  return out;
}

describe("readFileChunks", () => {
  const size = 1000;
  it.each([
    ["empty", 0, 0],
    ["1 byte", 1, 1],
    ["exactly one chunk", 1000, 1],
    ["chunk multiple", 3000, 3],
    ["multi-chunk with a short tail", 3501, 4],
  ])("%s (%d bytes) gives %d chunks that reassemble exactly", async (_name, n, count) => {
    const data = randomBytes(n);
    const chunks = await chunksOf(data, size);
    expect(chunks.length).toBe(count);
    chunks.forEach((c, i) => {
      expect(c.index).toBe(i);
      expect(c.offset).toBe(i * size);
      expect(c.bytes.length).toBe(i < count - 1 ? size : n - (count - 1) * size);
    });
    expect(Buffer.concat(chunks.map((c) => c.bytes)).equals(data)).toBe(true);
  });

  it("gives each chunk its own memory (consumers may hold several at once)", async () => {
    const data = randomBytes(250_000);
    const path = join(dir, "held");
    writeFileSync(path, data);
    const held: Buffer[] = [];
    for await (const c of readFileChunks(path, 100_000)) held.push(c.bytes);
    expect(Buffer.concat(held).equals(data)).toBe(true);
  });

  it("names chunks by CIDv1 of their bytes; equal content gives equal CIDs", async () => {
    const block = randomBytes(1000);
    const path = join(dir, "repeat");
    writeFileSync(path, Buffer.concat([block, block, randomBytes(10)]));
    const cids: string[] = [];
    for await (const c of chunkCids(path, 1000)) cids.push(c.cid);
    expect(cids[0]).toBe(cidForBytes(block));
    expect(cids[1]).toBe(cids[0]);
    expect(cids[2]).not.toBe(cids[0]);
    expect(cids[0]).toMatch(/^bafkrei/);
  });

  it("refuses a nonsensical chunk size", async () => {
    await expect(chunksOf(randomBytes(10), 0)).rejects.toThrow(/chunk size/);
  });
});

describe("parseSize", () => {
  it("accepts bytes and binary/decimal units", () => {
    expect(parseSize("1048576")).toBe(1048576);
    expect(parseSize("16MiB")).toBe(16 * 1024 * 1024);
    expect(parseSize("64m")).toBe(64 * 1024 * 1024);
    expect(parseSize("512KiB")).toBe(512 * 1024);
    expect(parseSize("1GB")).toBe(1e9);
  });
  it("refuses anything else with the accepted forms", () => {
    expect(() => parseSize("16 parsecs")).toThrow(/16MiB/);
    expect(() => parseSize("-5")).toThrow();
  });
});

describe("ChunkBufferPool", () => {
  it("reuses released buffers whole, even after a short last chunk, and never hands one out twice", () => {
    const pool = new ChunkBufferPool();
    const a = pool.acquire(1000);
    const b = pool.acquire(1000);
    expect(a.buffer).not.toBe(b.buffer);
    pool.release(a.subarray(0, 10));
    const c = pool.acquire(1000);
    expect(c.buffer).toBe(a.buffer);
    expect(c.length).toBe(1000);
    expect(pool.acquire(1000).buffer).not.toBe(a.buffer);
    pool.release(Buffer.alloc(1000)); // not from the pool: ignored
    expect(pool.acquire(1000).buffer).not.toBe(c.buffer);
  });
});
