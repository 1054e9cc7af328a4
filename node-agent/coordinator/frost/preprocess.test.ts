/** One-round signing with preprocessed nonce commitments: it signs in one round trip, and an orchestrator that
 * replays a package or reuses a spent commitment (also across a member restart) is refused. */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ed25519KeyPair, ed25519Verify } from "../../../common/ed25519.js";
import { SignedTypes, signMessage } from "../../../common/frost/auth.js";
import type { FrostGroupInfo } from "../../../common/frost/group.js";
import type { SignCommitment, SignPackage } from "../../../proto/gen/dsdn/committee/v1/frost.js";
import { FrostCoordinator } from "./coordinator.js";
import { FrostAuthError, FrostProtocolError, FrostReplayError } from "./errors.js";
import { KeyShareStore } from "./keyStore.js";
import { createLocalCommittee, type LocalCommittee, logCalls, preprocessedFrom } from "./localCommittee.js";
import { FrostParticipant } from "./participant.js";
import type { FrostRpc } from "./rpc.js";

const enc = new TextEncoder();
let c: LocalCommittee;
let group: FrostGroupInfo;
let members: Uint8Array[];
let calls: FrostRpc[] = [];

beforeAll(async () => {
  c = createLocalCommittee(4);
  members = c.identities.map((k) => k.publicKey);
  group = (await c.coordinator(1).runDkg({ epoch: 3n, threshold: 3, members })).group;
  calls = logCalls(c);
});
afterAll(() => c.dispose());

/** Preprocessed commitments straight from member `idx` (as an orchestrator would pool them). */
const preprocessed = (idx: number, count: number, from = 1) => preprocessedFrom(c, group, idx, count, from);

/** A SignPackage for `message` over the given commitments, signed by orchestrator `from`. */
function onePackage(message: Uint8Array, commitments: SignCommitment[], from = 1): SignPackage {
  const request = signMessage(
    SignedTypes.SignRequest,
    {
      sessionId: randomBytes(32),
      epoch: group.epoch,
      groupPublicKey: group.groupPublicKey,
      message,
      expiresAtMs: BigInt(Date.now() + 60_000),
    },
    c.identities[from - 1]!,
  );
  return signMessage(SignedTypes.SignPackage, { request, commitments }, c.identities[from - 1]!);
}

describe("one-round signing", () => {
  it("signs with one RPC per signer once commitments are pooled, and the signature verifies", async () => {
    const pre = new FrostCoordinator({
      identity: c.identities[0]!,
      transport: c.transport,
      preprocess: 8,
    });
    expect(await pre.preprocess(group, 8)).toEqual([8, 8, 8, 8]);
    calls.length = 0;
    const message = enc.encode("receipt one round");
    const out = await pre.sign({ group, message });
    expect(ed25519Verify(out.signature, message, group.groupPublicKey)).toBe(true);
    expect(calls.filter((r) => r === "sign/commit")).toEqual([]);
    expect(calls.filter((r) => r === "sign/share")).toHaveLength(3);
    // With a member down, the pooled round fails over to two rounds and still signs with the other three.
    c.transport.down.add(Buffer.from(members[0]!).toString("hex"));
    try {
      const again = await pre.sign({ group, message: enc.encode("with member 1 down") });
      expect(again.signerIndexes).not.toContain(1);
      expect(ed25519Verify(again.signature, enc.encode("with member 1 down"), group.groupPublicKey)).toBe(true);
    } finally {
      c.transport.down.clear();
    }
  });

  it("a replayed one-round package is refused (session and nonce both spent)", async () => {
    const list = [...(await preprocessed(1, 1)), ...(await preprocessed(2, 1)), ...(await preprocessed(3, 1))];
    const pkg = onePackage(enc.encode("pay node 7"), list);
    const share = await c.participants[1]!.handleSignPackage(pkg);
    expect(share.share).toHaveLength(32);
    await expect(c.participants[1]!.handleSignPackage(pkg)).rejects.toBeInstanceOf(FrostReplayError);
  });

  it("a spent commitment reused for another message is refused — also after the member restarts", async () => {
    const mine = await preprocessed(2, 2);
    const others = [...(await preprocessed(1, 1)), ...(await preprocessed(3, 1))];
    await c.participants[1]!.handleSignPackage(onePackage(enc.encode("first"), [mine[0]!, ...others]));
    // Same nonce commitment, a new session and a new message: signing would leak member 2's share.
    await expect(
      c.participants[1]!.handleSignPackage(onePackage(enc.encode("second"), [mine[0]!, ...others])),
    ).rejects.toThrow(/already spent/);
    // A restarted member (fresh process state, same data directory) still refuses it, and still has the unspent one.
    const restarted = new FrostParticipant({
      identity: c.identities[1]!,
      store: new KeyShareStore(c.participants[1]!.store.dir, c.participants[1]!.store.secret),
    });
    expect(restarted.preprocessedCount(group.groupPublicKey)).toBe(
      c.participants[1]!.preprocessedCount(group.groupPublicKey),
    );
    await expect(restarted.handleSignPackage(onePackage(enc.encode("third"), [mine[0]!, ...others]))).rejects.toThrow(
      /already spent/,
    );
    const ok = await restarted.handleSignPackage(onePackage(enc.encode("fourth"), [mine[1]!, ...others]));
    expect(ok.share).toHaveLength(32);
    await expect(
      restarted.handleSignPackage(onePackage(enc.encode("fifth"), [mine[1]!, ...others])),
    ).rejects.toBeInstanceOf(FrostReplayError);
  });

  it("one commitment in two packages at once signs once; concurrent spends are all on disk before shares", async () => {
    const mine = await preprocessed(2, 4);
    const others = [...(await preprocessed(1, 1)), ...(await preprocessed(3, 1))];
    const p2 = c.participants[1]!;
    // The same nonce commitment, two sessions and two messages, in flight together (the spend is written async).
    const race = await Promise.allSettled([
      p2.handleSignPackage(onePackage(enc.encode("race a"), [mine[0]!, ...others])),
      p2.handleSignPackage(onePackage(enc.encode("race b"), [mine[0]!, ...others])),
    ]);
    expect(race.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = race.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(FrostReplayError);
    // Three different commitments spent concurrently: a restarted member finds every one of them spent.
    const shares = await Promise.all(
      [1, 2, 3].map((k) => p2.handleSignPackage(onePackage(enc.encode(`concurrent ${k}`), [mine[k]!, ...others]))),
    );
    expect(shares.every((x) => x.share.length === 32)).toBe(true);
    const restarted = new FrostParticipant({
      identity: c.identities[1]!,
      store: new KeyShareStore(p2.store.dir, p2.store.secret),
    });
    for (const k of [0, 1, 2, 3]) {
      await expect(
        restarted.handleSignPackage(onePackage(enc.encode(`after restart ${k}`), [mine[k]!, ...others])),
      ).rejects.toBeInstanceOf(FrostReplayError);
    }
  });

  it("forged, foreign and message-bound commitments are refused", async () => {
    const m2 = await preprocessed(2, 1);
    const m3 = await preprocessed(3, 1);
    const m1 = await preprocessed(1, 1);
    // Member 3's commitment relabelled as member 4's: its signature no longer matches member 4.
    const relabelled = { ...m3[0]!, participantIndex: 4 };
    await expect(
      c.participants[1]!.handleSignPackage(onePackage(enc.encode("x"), [m1[0]!, m2[0]!, relabelled])),
    ).rejects.toBeInstanceOf(FrostAuthError);
    // A commitment the orchestrator made up for member 2, signed by itself instead of member 2.
    const madeUp = signMessage(
      SignedTypes.SignCommitment,
      { ...m2[0]!, hiding: m1[0]!.hiding, binding: m1[0]!.binding },
      c.identities[0]!,
    );
    await expect(
      c.participants[1]!.handleSignPackage(onePackage(enc.encode("x"), [m1[0]!, madeUp, m3[0]!])),
    ).rejects.toBeInstanceOf(FrostAuthError);
    // Member 2 is handed member 1's (validly signed) commitment list without its own: nothing to sign with.
    const m4 = await preprocessed(4, 1);
    await expect(
      c.participants[1]!.handleSignPackage(onePackage(enc.encode("x"), [m1[0]!, m3[0]!, m4[0]!])),
    ).rejects.toBeInstanceOf(FrostProtocolError);
    // The untouched commitment of member 2 still works afterwards (the refusals did not spend it).
    const ok = await c.participants[1]!.handleSignPackage(onePackage(enc.encode("y"), [m1[0]!, m2[0]!, m3[0]!]));
    expect(ok.share).toHaveLength(32);
  });

  it("preprocessing is refused to non-members and beyond 64 pairs per request", async () => {
    const outsider = ed25519KeyPair();
    const req = signMessage(
      SignedTypes.PreprocessRequest,
      {
        sessionId: randomBytes(32),
        epoch: group.epoch,
        groupPublicKey: group.groupPublicKey,
        count: 4,
        expiresAtMs: BigInt(Date.now() + 60_000),
      },
      outsider,
    );
    await expect(c.participants[0]!.handlePreprocess(req)).rejects.toBeInstanceOf(FrostAuthError);
    await expect(preprocessed(1, 65)).rejects.toBeInstanceOf(FrostProtocolError);
    // The same preprocessing request twice: refused the second time.
    const again = signMessage(SignedTypes.PreprocessRequest, { ...req, sessionId: randomBytes(32) }, c.identities[0]!);
    await c.participants[0]!.handlePreprocess(again);
    await expect(c.participants[0]!.handlePreprocess(again)).rejects.toBeInstanceOf(FrostReplayError);
  });
});
