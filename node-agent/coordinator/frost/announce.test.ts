/** Announcing preprocessed commitments to the other members ahead of signing: only committee members' commitments
 * of the right epoch are accepted, a point outside the prime-order subgroup is refused (and never cached), and the
 * orchestrator announces each member's new commitments to the others. */
import { ed25519 } from "@noble/curves/ed25519.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ed25519KeyPair, ed25519Verify } from "../../../common/ed25519.js";
import { SignedTypes, signMessage } from "../../../common/frost/auth.js";
import type { FrostGroupInfo } from "../../../common/frost/group.js";
import type { SignCommitment } from "../../../proto/gen/dsdn/committee/v1/frost.js";
import { FrostCoordinator } from "./coordinator.js";
import { FrostAuthError, FrostProtocolError } from "./errors.js";
import { createLocalCommittee, type LocalCommittee, logCalls, preprocessedFrom } from "./localCommittee.js";
import type { FrostRpc } from "./rpc.js";
import * as M from "./signMath.js";

const enc = new TextEncoder();
// A point of order 8: adding it keeps a point on the curve but takes it out of the prime-order subgroup.
const TORSION = ed25519.Point.fromHex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");
let c: LocalCommittee;
let group: FrostGroupInfo;
let calls: FrostRpc[] = [];

beforeAll(async () => {
  c = createLocalCommittee(4);
  const members = c.identities.map((k) => k.publicKey);
  group = (await c.coordinator(1).runDkg({ epoch: 5n, threshold: 3, members })).group;
  calls = logCalls(c);
});
afterAll(() => c.dispose());

const preprocessed = (idx: number, count: number) => preprocessedFrom(c, group, idx, count);

/** Member `idx`'s commitment with a torsion component added, re-signed by member `idx` (a cheating member). */
function torsioned(cm: SignCommitment, idx: number): SignCommitment {
  const hiding = ed25519.Point.fromBytes(cm.hiding).add(TORSION).toBytes();
  return signMessage(SignedTypes.SignCommitment, { ...cm, hiding }, c.identities[idx - 1]!);
}

describe("announced commitments", () => {
  it("a member's commitments are validated on arrival, so signing finds their points checked", async () => {
    const mine = await preprocessed(3, 2);
    expect(M.isValidated(mine[0]!.hiding)).toBe(false);
    await c.participants[1]!.handleAnnounce({ commitments: mine });
    for (const cm of mine) {
      expect(M.isValidated(cm.hiding)).toBe(true);
      expect(M.isValidated(cm.binding)).toBe(true);
    }
  });

  it("a commitment with a torsion component is refused and never cached", async () => {
    const bad = torsioned((await preprocessed(3, 1))[0]!, 3);
    await expect(c.participants[1]!.handleAnnounce({ commitments: [bad] })).rejects.toBeInstanceOf(FrostProtocolError);
    expect(M.isValidated(bad.hiding)).toBe(false);
    expect(() => M.validPoint(bad.hiding)).toThrow(/subgroup/);
  });

  it("commitments of non-members, relabelled ones and ones of another epoch are refused unvalidated", async () => {
    const [cm] = await preprocessed(3, 1);
    const outsider = signMessage(SignedTypes.SignCommitment, { ...cm! }, ed25519KeyPair());
    const relabelled = signMessage(SignedTypes.SignCommitment, { ...cm!, participantIndex: 4 }, c.identities[2]!);
    const otherEpoch = signMessage(SignedTypes.SignCommitment, { ...cm!, epoch: 6n }, c.identities[2]!);
    const bound = signMessage(
      SignedTypes.SignCommitment,
      { ...cm!, messageHash: new Uint8Array(32) },
      c.identities[2]!,
    );
    const forged = { ...cm!, signature: Buffer.alloc(64) };
    for (const x of [outsider, relabelled, otherEpoch, forged]) {
      await expect(c.participants[1]!.handleAnnounce({ commitments: [x] })).rejects.toBeInstanceOf(FrostAuthError);
    }
    await expect(c.participants[1]!.handleAnnounce({ commitments: [bound] })).rejects.toBeInstanceOf(
      FrostProtocolError,
    );
    expect(M.isValidated(cm!.hiding)).toBe(false);
  });

  it("more than a preprocessing batch per announcement is refused", async () => {
    const many = await preprocessed(2, 64);
    await expect(c.participants[0]!.handleAnnounce({ commitments: [...many, many[0]!] })).rejects.toBeInstanceOf(
      FrostProtocolError,
    );
  });

  it("the orchestrator announces each member's pooled commitments to the others, then signs in one round", async () => {
    const pre = new FrostCoordinator({ identity: c.identities[0]!, transport: c.transport, preprocess: 4 });
    calls.length = 0;
    await pre.preprocess(group, 4);
    expect(calls.filter((r) => r === "sign/announce")).toHaveLength(4 * 3);
    calls.length = 0;
    const message = enc.encode("announced");
    const out = await pre.sign({ group, message });
    expect(ed25519Verify(out.signature, message, group.groupPublicKey)).toBe(true);
    expect(calls.filter((r) => r === "sign/share")).toHaveLength(3);
  });
});
