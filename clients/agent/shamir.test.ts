import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { combine } from "shamir-secret-sharing";
import { afterAll, describe, expect, it } from "vitest";
import { fromHex } from "../../common/hash.js";
import { newFileKey } from "./encryption.js";
import { parseRecovery, readShareFile, recoverKey, splitKey, writeShareFiles } from "./shamir.js";

const dir = mkdtempSync(join(tmpdir(), "dsdn-shamir-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function subsets<T>(xs: T[], k: number): T[][] {
  if (k === 0) return [[]];
  return xs.flatMap((x, i) => subsets(xs.slice(i + 1), k - 1).map((s) => [x, ...s]));
}

describe("Shamir key recovery", () => {
  it("any t of n shares rebuild the key", async () => {
    const key = newFileKey();
    const shares = await splitKey(key, 3, 5, "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am");
    for (const set of subsets(shares, 3))
      expect(Buffer.from(await recoverKey(set)).equals(Buffer.from(key))).toBe(true);
  });

  it("t−1 shares are refused, and combining them raw does not yield the key", async () => {
    const key = newFileKey();
    const shares = await splitKey(key, 3, 5);
    for (const set of subsets(shares, 2)) {
      await expect(recoverKey(set)).rejects.toThrow(/needs 3 of 5 distinct shares, got 2/);
      const raw = await combine(set.map((s) => fromHex(s.share)));
      expect(Buffer.from(raw).equals(Buffer.from(key))).toBe(false);
    }
    // Duplicates do not count twice.
    await expect(recoverKey([shares[0]!, shares[0]!, shares[1]!])).rejects.toThrow(/got 2/);
  });

  it("refuses shares of different keys and a damaged share", async () => {
    const a = await splitKey(newFileKey(), 2, 3);
    const b = await splitKey(newFileKey(), 2, 3);
    await expect(recoverKey([a[0]!, b[1]!])).rejects.toThrow(/different keys/);
    const damaged = {
      ...a[1]!,
      share: a[1]!.share.slice(0, 10) + (a[1]!.share[10] === "0" ? "1" : "0") + a[1]!.share.slice(11),
    };
    await expect(recoverKey([a[0]!, damaged])).rejects.toThrow(/do not rebuild the key/);
  });

  it("writes share files with mode 0600 and reads them back", async () => {
    const key = newFileKey();
    const paths = await writeShareFiles(join(dir, "out"), await splitKey(key, 2, 3, "m"));
    expect(paths).toHaveLength(3);
    for (const p of paths) expect(statSync(p).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "out")).mode & 0o777).toBe(0o700);
    const back = await Promise.all(paths.slice(1).map(readShareFile));
    expect(Buffer.from(await recoverKey(back)).equals(Buffer.from(key))).toBe(true);
  });

  it("parses t/n and refuses impossible splits", () => {
    expect(parseRecovery("2/3")).toEqual({ threshold: 2, total: 3 });
    for (const bad of ["1/3", "4/3", "2/300", "two/three", "3"]) expect(() => parseRecovery(bad)).toThrow(/t\/n/);
  });
});
