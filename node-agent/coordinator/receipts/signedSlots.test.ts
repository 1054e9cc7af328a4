import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SignedSlots } from "./signedSlots.js";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("SignedSlots", () => {
  it("refuses a second body for a slot, also after a restart; the same body again is fine", async () => {
    dir = mkdtempSync(join(tmpdir(), "slots-"));
    const a = new SignedSlots(dir);
    expect(await a.claim(5n, "aa", "body1")).toBe(true);
    expect(await a.claim(5n, "aa", "body2")).toBe(false);
    expect(await a.claim(5n, "bb", "body2")).toBe(true);
    const restarted = new SignedSlots(dir);
    expect(await restarted.claim(5n, "aa", "body2")).toBe(false);
    expect(await restarted.claim(5n, "aa", "body1")).toBe(true);
    expect(await restarted.claim(6n, "aa", "body2")).toBe(true); // another epoch is another slot space
  });

  it("two concurrent requests for one slot: exactly one body wins", async () => {
    const s = new SignedSlots(undefined);
    const r = await Promise.all([s.claim(1n, "cc", "x"), s.claim(1n, "cc", "y")]);
    expect(r.filter(Boolean)).toHaveLength(1);
  });

  it("forgets epochs older than the previous one", async () => {
    dir = mkdtempSync(join(tmpdir(), "slots-"));
    const s = new SignedSlots(dir);
    await s.claim(1n, "aa", "b");
    await s.claim(2n, "aa", "b");
    expect(readdirSync(dir).sort()).toEqual(["signed-slots-e1.log", "signed-slots-e2.log"]);
    await s.claim(3n, "aa", "b");
    expect(readdirSync(dir).sort()).toEqual(["signed-slots-e2.log", "signed-slots-e3.log"]);
  });
});
