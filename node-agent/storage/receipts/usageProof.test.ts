import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cidForBytes } from "../../../common/cid.js";
import { ed25519KeyPair } from "../../../common/ed25519.js";
import { sha256 } from "../../../common/hash.js";
import { UsageProof } from "../../../proto/gen/dsdn/receipts/v1/usage.js";
import { LocalFsStorage } from "../localfs.js";
import { CHALLENGE_BYTES, challengeSeed, deriveChallenges, rangeAnswer, storageWorkloadId } from "./challenges.js";
import { buildUsageProof, usageOf, usageProofProblem, verifyUsageProofSignature } from "./usageProof.js";

let dir: string;
let storage: LocalFsStorage;
const chunks: { cid: string; bytes: Uint8Array }[] = [];
const node = ed25519KeyPair(new Uint8Array(32).fill(5));
const SUBMITTER = "nusa1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "usage-proof-"));
  storage = await LocalFsStorage.open(dir);
  for (const size of [100, 5000, 9000]) {
    const bytes = new Uint8Array(size).map((_, i) => (i * 17 + size) & 0xff);
    const cid = cidForBytes(bytes);
    await storage.putChunk(cid, bytes);
    chunks.push({ cid, bytes });
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const build = (over: Partial<Parameters<typeof buildUsageProof>[0]> = {}) =>
  buildUsageProof({
    storage,
    identity: node,
    chainId: "c",
    manifestCid: "bafkreimanifest",
    submitter: SUBMITTER,
    cids: chunks.map((c) => c.cid),
    epoch: 3n,
    periodStart: 1000n,
    periodEnd: 4600n,
    heldSince: new Map([[chunks[0]!.cid, 2000n]]),
    anchor: { height: 10n, hash: sha256(new Uint8Array([1])) },
    ...over,
  });

describe("usage proofs", () => {
  it("answers the challenges its anchor implies with the stored bytes, signed by the node", async () => {
    const p = await build();
    expect(usageProofProblem(p)).toBeUndefined();
    expect(verifyUsageProofSignature(p)).toBe(true);
    const seed = challengeSeed(p.anchorHash, node.publicKey, storageWorkloadId("bafkreimanifest"), 3n);
    const ch = deriveChallenges(seed, p.chunks);
    expect(ch).toHaveLength(3);
    ch.forEach((c, i) => {
      const bytes = chunks.find((x) => x.cid === c.cid)!.bytes;
      expect(c.length).toBe(Math.min(CHALLENGE_BYTES, bytes.length));
      expect(c.offset + c.length).toBeLessThanOrEqual(bytes.length);
      expect(Buffer.from(p.answers[i]!.answer)).toEqual(
        Buffer.from(rangeAnswer(seed, bytes.subarray(c.offset, c.offset + c.length))),
      );
    });
    // another anchor, other challenges
    const other = deriveChallenges(
      challengeSeed(sha256(new Uint8Array([2])), node.publicKey, p.workloadId, 3n),
      p.chunks,
    );
    expect(other).not.toEqual(ch);
  });

  it("usage: chunks, bytes and bytes × seconds held within the period", async () => {
    const p = await build();
    const u = usageOf(p);
    expect(u.chunks).toBe(3n);
    expect(u.bytes).toBe(14_100n);
    expect(u.byteSeconds).toBe(100n * 2600n + 5000n * 3600n + 9000n * 3600n);
  });

  it("any change after signing breaks the node signature; a foreign manifest id is refused", async () => {
    const p = await build();
    expect(verifyUsageProofSignature({ ...p, periodStart: 0n })).toBe(false);
    expect(verifyUsageProofSignature(UsageProof.decode(UsageProof.encode(p).finish()))).toBe(true);
    expect(usageProofProblem({ ...p, manifestCid: "bafkreiother" })).toMatch(/workload_id/);
    await expect(build({ cids: ["bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"] })).rejects.toThrow(
      /not stored here/,
    );
  });
});
