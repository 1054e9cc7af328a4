/** Adversarial cases: t−1 colluders, outsiders, tampered and replayed round messages, a lying signer. */
import { randomBytes } from "node:crypto";
import { ed25519, ed25519_FROST as F } from "@noble/curves/ed25519.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ed25519KeyPair, ed25519Verify } from "../../../common/ed25519.js";
import { SignedTypes, signMessage } from "../../../common/frost/auth.js";
import { u8 } from "../../../common/frost/bytes.js";
import { frostIdentifier } from "../../../common/frost/committee.js";
import { type FrostGroupInfo, toFrostPublic, toFrostSecret } from "../../../common/frost/group.js";
import { sha256, toHex } from "../../../common/hash.js";
import { decodeMessage, encodeMessage } from "../../../common/protobuf.js";
import {
  DkgRound1,
  DkgRound1Bundle,
  DkgRound2Bundle,
  SignatureShare,
  SignCommitment,
  type SignRequest,
} from "../../../proto/gen/dsdn/committee/v1/frost.js";
import { FrostAuthError, FrostInvalidShareError, FrostProtocolError, FrostReplayError } from "./errors.js";
import { createLocalCommittee, type LocalCommittee } from "./localCommittee.js";

const enc = new TextEncoder();
let c: LocalCommittee;
let group: FrostGroupInfo;
let members: Uint8Array[];

beforeAll(async () => {
  c = createLocalCommittee(4);
  members = c.identities.map((k) => k.publicKey);
  group = (await c.coordinator(1).runDkg({ epoch: 9n, threshold: 3, members })).group;
});
afterAll(() => c.dispose());

function signRequest(from: number, message: Uint8Array, over: Partial<SignRequest> = {}): SignRequest {
  return signMessage(
    SignedTypes.SignRequest,
    {
      sessionId: randomBytes(32),
      epoch: group.epoch,
      groupPublicKey: group.groupPublicKey,
      message,
      expiresAtMs: BigInt(Date.now() + 60_000),
      ...over,
    },
    c.identities[from - 1]!,
  );
}

describe("fewer than t colluders", () => {
  it("t−1 = 2 real shares cannot make a signature that verifies, however they aggregate", async () => {
    const shares = await Promise.all(
      [1, 2].map(async (i) => (await c.participants[i - 1]!.store.load(group.groupPublicKey))!),
    );
    const message = enc.encode("forged receipt");
    // Lie to noble about the threshold (min = 2) so it lets two signers through.
    const pub = { ...toFrostPublic(group), signers: { min: 2, max: 4 } };
    const gen = shares.map((s) => F.commit(toFrostSecret(s)));
    const list = gen.map((g) => g.commitments);
    const sigShares: Record<string, Uint8Array> = {};
    shares.forEach((s, k) => {
      sigShares[frostIdentifier(s.participantIndex)] = F.signShare(
        toFrostSecret(s),
        pub,
        gen[k]!.nonces,
        list,
        message,
      );
    });
    // noble sums the shares into (R, z) and checks the result as an Ed25519 signature: it does not verify.
    expect(() => F.aggregate(pub, list, message, sigShares)).toThrow(/aggregation failed/);
    // Each colluder signing alone with its share as a key gives nothing that verifies either.
    for (const s of shares) {
      const lone = F.sign(message, s.signingShare);
      expect(ed25519Verify(lone, message, group.groupPublicKey)).toBe(false);
    }
    // Interpolating the group secret from two shares gives a different key.
    const guess = F.combineSecret(shares.map(toFrostSecret), { min: 2, max: 4 });
    expect(toHex(ed25519.Point.BASE.multiply(ed25519.Point.Fn.fromBytes(guess)).toBytes())).not.toBe(
      toHex(group.groupPublicKey),
    );
  });

  it("the coordinator refuses to run with fewer than t signers, and honest members refuse such a package", async () => {
    await expect(c.coordinator(1).sign({ group, message: enc.encode("x"), signers: [1, 2] })).rejects.toThrow(
      /at least 3 signers/,
    );
    const req = signRequest(1, enc.encode("two only"));
    const c1 = await c.participants[0]!.handleSignRequest(req);
    const c2 = await c.participants[1]!.handleSignRequest(req);
    const pkg = signMessage(SignedTypes.SignPackage, { request: req, commitments: [c1, c2] }, c.identities[0]!);
    await expect(c.participants[1]!.handleSignPackage(pkg)).rejects.toThrow(FrostProtocolError);
  });
});

describe("membership", () => {
  it("a share signed by a non-member is rejected, and the member it replaced is named", async () => {
    const outsider = ed25519KeyPair();
    c.transport.intercept = (peer, rpc, reply) => {
      if (rpc !== "sign/share" || peer !== toHex(members[1]!)) return reply;
      const s = decodeMessage(SignatureShare, reply);
      return encodeMessage(SignatureShare, signMessage(SignedTypes.SignatureShare, { ...s }, outsider));
    };
    try {
      await expect(
        c.coordinator(1).sign({ group, message: enc.encode("m"), signers: [1, 2, 3] }),
      ).rejects.toMatchObject({
        code: "DSDN_UNAVAILABLE",
        meta: { failed: [2] },
        details: expect.stringMatching(/participant 2: SignatureShare: sent by/),
      });
    } finally {
      c.transport.intercept = undefined;
    }
  });

  it("members refuse sign requests from outsiders and DKGs they are not part of", async () => {
    const outsider = ed25519KeyPair();
    const req = signMessage(
      SignedTypes.SignRequest,
      {
        sessionId: randomBytes(32),
        epoch: group.epoch,
        groupPublicKey: group.groupPublicKey,
        message: enc.encode("from outside"),
        expiresAtMs: BigInt(Date.now() + 60_000),
      },
      outsider,
    );
    await expect(c.participants[0]!.handleSignRequest(req)).rejects.toThrow(/not a member/);
    const dkg = signMessage(
      SignedTypes.DkgRequest,
      {
        sessionId: randomBytes(32),
        epoch: 1n,
        threshold: 2,
        members: [outsider.publicKey, members[1]!],
        expiresAtMs: BigInt(Date.now() + 60_000),
      },
      outsider,
    );
    await expect(c.participants[0]!.handleDkgRequest(dkg)).rejects.toThrow(/not in the committee/);
  });
});

describe("a lying signer", () => {
  it.each(["each", "on-failure"] as const)(
    "an invalid share (signed by its member) is detected and its signer named (shareCheck %s)",
    async (shareCheck) => {
      c.transport.intercept = (peer, rpc, reply) => {
        if (rpc !== "sign/share" || peer !== toHex(members[2]!)) return reply;
        const s = decodeMessage(SignatureShare, reply);
        const z = F.utils.Fn.add(F.utils.Fn.fromBytes(s.share), 1n);
        return encodeMessage(
          SignatureShare,
          signMessage(SignedTypes.SignatureShare, { ...s, share: F.utils.Fn.toBytes(z) }, c.identities[2]!),
        );
      };
      try {
        const err = await c
          .coordinator(4)
          .sign({ group, message: enc.encode("m"), signers: [2, 3, 4], shareCheck })
          .catch((e) => e);
        expect(err).toBeInstanceOf(FrostInvalidShareError);
        expect(err.participantIndex).toBe(3);
        expect(err.participant).toBe(toHex(members[2]!));
        expect(err.message).toMatch(/participant 3/);
      } finally {
        c.transport.intercept = undefined;
      }
    },
  );
});

describe("tampering", () => {
  it("a round-1 commitment altered in transit is rejected", async () => {
    c.transport.intercept = (peer, rpc, reply) => {
      if (rpc !== "dkg/start" || peer !== toHex(members[3]!)) return reply;
      const p = decodeMessage(DkgRound1, reply);
      p.commitment[0]![5]! ^= 1;
      return encodeMessage(DkgRound1, p);
    };
    try {
      await expect(c.coordinator(1).runDkg({ epoch: 10n, threshold: 3, members })).rejects.toMatchObject({
        meta: { failed: [4] },
        details: expect.stringMatching(/bad signature/),
      });
    } finally {
      c.transport.intercept = undefined;
    }
  });

  it("an encrypted round-2 share altered (even if re-signed by its sender) fails to decrypt, naming the sender", async () => {
    c.transport.intercept = (peer, rpc, reply) => {
      if (rpc !== "dkg/round1" || peer !== toHex(members[1]!)) return reply;
      const b = decodeMessage(DkgRound2Bundle, reply);
      const packages = b.packages.map((p) => {
        const ciphertext = Buffer.from(p.ciphertext);
        ciphertext[3]! ^= 0x80;
        return signMessage(SignedTypes.DkgRound2, { ...p, ciphertext }, c.identities[1]!);
      });
      return encodeMessage(DkgRound2Bundle, { sessionId: b.sessionId, packages });
    };
    try {
      await expect(c.coordinator(1).runDkg({ epoch: 11n, threshold: 3, members })).rejects.toMatchObject({
        details: expect.stringMatching(/cannot decrypt the round-2 share from participant 2/),
      });
    } finally {
      c.transport.intercept = undefined;
    }
  });

  it("a signing commitment altered in a package is rejected by the signers", async () => {
    const req = signRequest(1, enc.encode("tamper"));
    const cs = await Promise.all([0, 1, 2].map((i) => c.participants[i]!.handleSignRequest(req)));
    const bad = SignCommitment.fromPartial({ ...cs[2]!, binding: Buffer.from(cs[0]!.binding) });
    const pkg = signMessage(
      SignedTypes.SignPackage,
      { request: req, commitments: [cs[0]!, cs[1]!, bad] },
      c.identities[0]!,
    );
    await expect(c.participants[0]!.handleSignPackage(pkg)).rejects.toThrow(/SignCommitment: bad signature/);
    // The package's own signature covers the request and the list.
    const pkg2 = signMessage(SignedTypes.SignPackage, { request: req, commitments: cs }, c.identities[0]!);
    const forged = { ...pkg2, commitments: [cs[0]!, cs[1]!] };
    await expect(c.participants[1]!.handleSignPackage(forged)).rejects.toThrow(/SignPackage: bad signature/);
  });
});

describe("replay", () => {
  it("a sign request, and a sign package, are each accepted once", async () => {
    const req = signRequest(2, enc.encode("once"));
    const cs = await Promise.all([0, 1, 2].map((i) => c.participants[i]!.handleSignRequest(req)));
    await expect(c.participants[0]!.handleSignRequest(req)).rejects.toThrow(FrostReplayError);
    const pkg = signMessage(SignedTypes.SignPackage, { request: req, commitments: cs }, c.identities[1]!);
    const share = await c.participants[0]!.handleSignPackage(pkg);
    expect(share.share).toHaveLength(32);
    await expect(c.participants[0]!.handleSignPackage(pkg)).rejects.toThrow(FrostReplayError);
  });

  it("commitments from another session are refused", async () => {
    const a = signRequest(1, enc.encode("same bytes"));
    const b = signRequest(1, enc.encode("same bytes"));
    const ca = await Promise.all([0, 1, 2].map((i) => c.participants[i]!.handleSignRequest(a)));
    const cb = await Promise.all([0, 1, 2].map((i) => c.participants[i]!.handleSignRequest(b)));
    const mixed = signMessage(
      SignedTypes.SignPackage,
      { request: b, commitments: [cb[0]!, cb[1]!, ca[2]!] },
      c.identities[0]!,
    );
    await expect(c.participants[0]!.handleSignPackage(mixed)).rejects.toThrow(/another session/);
  });

  it("expired and far-future sessions are refused", async () => {
    const old = signRequest(1, enc.encode("old"), { expiresAtMs: BigInt(Date.now() - 1) });
    await expect(c.participants[1]!.handleSignRequest(old)).rejects.toThrow(/expired/);
    const far = signRequest(1, enc.encode("far"), { expiresAtMs: BigInt(Date.now() + 3_600_000) });
    await expect(c.participants[1]!.handleSignRequest(far)).rejects.toThrow(FrostAuthError);
  });

  it("DKG requests and round bundles are accepted once", async () => {
    const req = signMessage(
      SignedTypes.DkgRequest,
      { sessionId: randomBytes(32), epoch: 12n, threshold: 3, members, expiresAtMs: BigInt(Date.now() + 60_000) },
      c.identities[0]!,
    );
    const r1 = await Promise.all(c.participants.map((p) => p.handleDkgRequest(req)));
    await expect(c.participants[0]!.handleDkgRequest(req)).rejects.toThrow(FrostReplayError);
    const bundle = DkgRound1Bundle.fromPartial({ sessionId: req.sessionId, packages: r1 });
    await c.participants[0]!.handleDkgRound1(bundle);
    await expect(c.participants[0]!.handleDkgRound1(bundle)).rejects.toThrow(FrostReplayError);
    // A round-1 package altered after signing is refused by the others.
    const bad = DkgRound1.fromPartial({ ...r1[0]!, epoch: 13n });
    await expect(
      c.participants[1]!.handleDkgRound1({ sessionId: req.sessionId, packages: [bad, r1[1]!, r1[2]!, r1[3]!] }),
    ).rejects.toThrow(/bad signature/);
  });
});

describe("signature shares check against the right message", () => {
  it("a share made for one message does not verify for another", async () => {
    const share = (await c.participants[0]!.store.load(group.groupPublicKey))!;
    const others = await Promise.all(
      [2, 3].map(async (i) => (await c.participants[i - 1]!.store.load(group.groupPublicKey))!),
    );
    const all = [share, ...others];
    const gen = all.map((s) => F.commit(toFrostSecret(s)));
    const list = gen.map((g) => g.commitments);
    const pub = toFrostPublic(group);
    const z = F.signShare(toFrostSecret(share), pub, gen[0]!.nonces, list, u8(enc.encode("a")));
    expect(F.verifyShare(pub, list, u8(enc.encode("a")), frostIdentifier(1), z)).toBe(true);
    expect(F.verifyShare(pub, list, u8(enc.encode("b")), frostIdentifier(1), z)).toBe(false);
    expect(sha256(enc.encode("a"))).toHaveLength(32);
  });
});
