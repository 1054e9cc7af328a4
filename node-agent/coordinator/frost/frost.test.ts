/** DKG (3-of-4, 5-of-7) and t-of-n signing through FrostParticipant/FrostCoordinator, in process. */
import { ed25519 } from "@noble/curves/ed25519.js";
import { afterEach, describe, expect, it } from "vitest";
import { ed25519Verify } from "../../../common/ed25519.js";
import { SignedTypes, verifyMessage } from "../../../common/frost/auth.js";
import { verifyDkgResults, verifySignedReceipt } from "../../../common/frost/verify.js";
import { toHex } from "../../../common/hash.js";
import { decodeMessage, encodeMessage } from "../../../common/protobuf.js";
import { SignedReceipt } from "../../../proto/gen/dsdn/committee/v1/frost.js";
import { createLocalCommittee, type LocalCommittee } from "./localCommittee.js";

function subsets(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  if (n < k) return [];
  return [...subsets(n - 1, k), ...subsets(n - 1, k - 1).map((s) => [...s, n])];
}

const enc = new TextEncoder();
let committee: LocalCommittee | undefined;
afterEach(() => committee?.dispose());

describe("FROST DKG and signing (in process)", () => {
  it("3-of-4: DKG agrees on one Ed25519 group key; every 3-subset (and all 4) signs", async () => {
    committee = createLocalCommittee(4);
    const c = committee;
    const members = c.identities.map((k) => k.publicKey);
    const dkg = await c.coordinator(2).runDkg({ epoch: 7n, threshold: 3, members });
    expect(dkg.group.groupPublicKey).toHaveLength(32);
    expect(dkg.group.verifyingShares).toHaveLength(4);
    expect(dkg.results).toHaveLength(4);
    dkg.results.forEach((r, i) => {
      verifyMessage(SignedTypes.DkgResult, r, members[i]);
      expect(toHex(r.groupPublicKey)).toBe(toHex(dkg.group.groupPublicKey));
    });
    // Each participant's stored share matches the public verifying share it was assigned.
    for (const [i, p] of c.participants.entries()) {
      const share = (await p.store.load(dkg.group.groupPublicKey))!;
      expect(share.participantIndex).toBe(i + 1);
      const pub = ed25519.Point.BASE.multiply(ed25519.Point.Fn.fromBytes(share.signingShare)).toBytes();
      expect(toHex(pub)).toBe(toHex(dkg.group.verifyingShares[i]!));
    }
    const sets = [...subsets(4, 3), [1, 2, 3, 4]];
    for (const signers of sets) {
      const message = enc.encode(`receipt for ${signers.join(",")}`);
      const out = await c.coordinator(signers[0]!).sign({ group: dkg.group, message, signers });
      expect(out.signerIndexes).toEqual(signers);
      expect(out.signature).toHaveLength(64);
      expect(ed25519.verify(out.signature, message, dkg.group.groupPublicKey)).toBe(true);
      expect(ed25519Verify(out.signature, message, dkg.group.groupPublicKey)).toBe(true);
      expect(ed25519Verify(out.signature, enc.encode("another receipt"), dkg.group.groupPublicKey)).toBe(false);
      const again = decodeMessage(SignedReceipt, encodeMessage(SignedReceipt, out.receipt));
      expect(toHex(again.signature)).toBe(toHex(out.signature));
      expect(again.signerIndexes).toEqual(signers);
    }
  });

  it("verifyDkgResults and verifySignedReceipt: what the chain modules check", async () => {
    committee = createLocalCommittee(4);
    const c = committee;
    const members = c.identities.map((k) => k.publicKey);
    const dkg = await c.coordinator(3).runDkg({ epoch: 4n, threshold: 3, members });
    const g = verifyDkgResults(dkg.results);
    expect(toHex(g.groupPublicKey)).toBe(toHex(dkg.group.groupPublicKey));
    expect(() => verifyDkgResults(dkg.results.slice(0, 3))).toThrow(/need 4 DKG results/);
    expect(() => verifyDkgResults([dkg.results[1]!, dkg.results[0]!, dkg.results[2]!, dkg.results[3]!])).toThrow(
      /expected/,
    );
    const forged = { ...dkg.results[2]!, groupPublicKey: Buffer.from(members[0]!) };
    expect(() => verifyDkgResults([dkg.results[0]!, dkg.results[1]!, forged, dkg.results[3]!])).toThrow(
      /bad signature/,
    );
    const message = enc.encode("ReceiptData bytes");
    const { receipt } = await c.coordinator(1).sign({ group: g, message });
    expect(verifySignedReceipt(receipt, g)).toBe(true);
    expect(verifySignedReceipt({ ...receipt, message: Buffer.from("other") }, g)).toBe(false);
    expect(verifySignedReceipt({ ...receipt, epoch: 5n }, g)).toBe(false);
    expect(verifySignedReceipt({ ...receipt, signerIndexes: [1, 2] }, g)).toBe(false);
    expect(verifySignedReceipt({ ...receipt, signerIndexes: [2, 1, 3] }, g)).toBe(false);
  });

  it("5-of-7: DKG and signing with several 5-subsets", async () => {
    committee = createLocalCommittee(7);
    const c = committee;
    const members = c.identities.map((k) => k.publicKey);
    const dkg = await c.coordinator(7).runDkg({ epoch: 1n, threshold: 5, members });
    const all = subsets(7, 5);
    expect(all).toHaveLength(21);
    for (const signers of [all[0]!, all[7]!, all[20]!, [1, 3, 4, 6, 7]]) {
      const message = enc.encode(`5-of-7 ${signers}`);
      const out = await c.coordinator(signers[1]!).sign({ group: dkg.group, message, signers });
      expect(ed25519Verify(out.signature, message, dkg.group.groupPublicKey)).toBe(true);
    }
  }, 120_000); // ~2.5 s of curve math on CI; 30 s (the default) was overrun on a machine at load 15

  it("with one of four down, 3-of-4 still signs; with two down it fails naming who did not answer", async () => {
    committee = createLocalCommittee(4);
    const c = committee;
    const members = c.identities.map((k) => k.publicKey);
    const dkg = await c.coordinator(1).runDkg({ epoch: 2n, threshold: 3, members });
    c.transport.down.add(toHex(members[2]!));
    const message = enc.encode("one down");
    const out = await c.coordinator(1).sign({ group: dkg.group, message });
    expect(out.signerIndexes).not.toContain(3);
    expect(ed25519Verify(out.signature, message, dkg.group.groupPublicKey)).toBe(true);
    c.transport.down.add(toHex(members[3]!));
    await expect(c.coordinator(1).sign({ group: dkg.group, message })).rejects.toMatchObject({
      code: "DSDN_UNAVAILABLE",
      meta: { failed: expect.arrayContaining([3, 4]) },
    });
  });

  it("DKG needs every member: one down fails the DKG with a clear error", async () => {
    committee = createLocalCommittee(4);
    const c = committee;
    const members = c.identities.map((k) => k.publicKey);
    c.transport.down.add(toHex(members[1]!));
    await expect(c.coordinator(1).runDkg({ epoch: 3n, threshold: 3, members })).rejects.toMatchObject({
      code: "DSDN_UNAVAILABLE",
      meta: { failed: [2] },
    });
  });

  it("rejects committees FROST cannot run", async () => {
    committee = createLocalCommittee(4);
    const members = committee.identities.map((k) => k.publicKey);
    const co = committee.coordinator(1);
    await expect(co.runDkg({ epoch: 0n, threshold: 5, members })).rejects.toThrow(/threshold/);
    await expect(co.runDkg({ epoch: 0n, threshold: 1, members })).rejects.toThrow(/threshold/);
    await expect(co.runDkg({ epoch: 0n, threshold: 2, members: [members[0]!, members[0]!] })).rejects.toThrow(
      /duplicate/,
    );
  });
});
