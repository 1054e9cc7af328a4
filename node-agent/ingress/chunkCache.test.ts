import { describe, expect, it } from "vitest";
import { ChunkCache } from "./chunkCache.js";

describe("ChunkCache", () => {
  it("evicts least recently used entries to stay within its byte budget", () => {
    const c = new ChunkCache(30);
    c.set("a", Buffer.alloc(10));
    c.set("b", Buffer.alloc(10));
    c.set("c", Buffer.alloc(10));
    expect(c.get("a")).toBeDefined(); // a is now the most recent
    c.set("d", Buffer.alloc(10));
    expect(c.get("b")).toBeUndefined();
    expect(c.get("a")).toBeDefined();
    expect(c.size).toEqual({ entries: 3, bytes: 30 });
    c.set("huge", Buffer.alloc(31));
    expect(c.get("huge")).toBeUndefined();
  });
});
