/** RFC 9591 Appendix E.1 — FROST(Ed25519, SHA-512), 2-of-3, fixed nonce randomness — through noble's ed25519_FROST. */
import { ed25519, ed25519_FROST as F } from "@noble/curves/ed25519.js";
import { describe, expect, it } from "vitest";
import { ed25519Verify } from "../../../common/ed25519.js";
import { frostIdentifier } from "../../../common/frost/committee.js";
import { fromHex, toHex } from "../../../common/hash.js";
import * as M from "./signMath.js";

// RFC 9591 §E.1 FROST(Ed25519, SHA-512), as carried by frost-rs and noble-curves
// (test/vectors/rfc9591-frost/ed25519-vectors.json). Pre-RFC drafts had other nonces and signatures
// (older binding-factor input without the group key): only the final values pass here.
const V = {
  groupSecretKey: "7b1c33d3f5291d85de664833beb1ad469f7fb6025a0ec78b3a790c6e13a98304",
  groupPublicKey: "15d21ccd7ee42959562fc8aa63224c8851fb3ec85a3faf66040d380fb9738673",
  message: "74657374",
  coefficient1: "178199860edd8c62f5212ee91eff1295d0d670ab4ed4506866bae57e7030b204",
  shares: {
    1: "929dcc590407aae7d388761cddb0c0db6f5627aea8e217f4a033f2ec83d93509",
    2: "a91e66e012e4364ac9aaa405fcafd370402d9859f7b6685c07eed76bf409e80d",
    3: "d3cb090a075eb154e82fdb4b3cb507f110040905468bb9c46da8bdea643a9a02",
  } as Record<number, string>,
  round1: {
    1: {
      hidingRandomness: "06894e04ee4aceec8619d5f6a0a180e2f47194d2ac306cba586b555e7c48d765",
      bindingRandomness: "40d6f879ff22e22409f7d808fed81f37118e7d3e4af71c0f44c60207553bcbce",
      hidingNonce: "ef6599dea4010581a72b3018c37c29a4341d7cab0773e8687ca74dcf14009701",
      bindingNonce: "2baadfa0c69aa60d517ad4751de372a73f9d89cfc39026601f18458cdec12605",
      hidingCommitment: "9b116f12589591a7e23fe8048059ab10ab48e67739e7a2fb3890f61a7999478c",
      bindingCommitment: "c39b66b7dfccb122da24f13587f9a08c4347cae70046ca15169adf90ba65854d",
    },
    3: {
      hidingRandomness: "fa5d950626782aade9e33fa781376d4888c2d1de7c37518bc248eb818ed0cdde",
      bindingRandomness: "7459a4d14ded0e365b085271be8dc6600d5b88f3978a2174297ffa32001a5afc",
      hidingNonce: "80f8d9a4b8f9366e1a0b618107c907cd3ee29fa9bb40b4691cc1bde696240005",
      bindingNonce: "2610b664a5a187b4855e87d2ff485bebdf043dc2f161fcd4854cd01dc0276404",
      hidingCommitment: "e679a2a971748ccfaabead4dbe8ac1def61275c186c79d471e1e45091ad1e687",
      bindingCommitment: "b2a942478453fabb6bd3181c56ba657413447b4136e1daea2484d396d1a516b3",
    },
  } as Record<number, Record<string, string>>,
  sigShares: {
    1: "60997f0142e43e8005027fe5ab7447dac00d22c2d7ddd9571a02613ba7d81c08",
    3: "79390e78bc59699c7af831f8f5fb478ec871a85f561a8641b5670ac4443f720f",
  } as Record<number, string>,
  sig: "154fb694ee7fcb37bf2381d94488c2a84b03b3352ad085feca81ad26d45852b7ecfe971ce4da95c4a95db93ac376b053897fca212ef85f99cf696bffeb178f07",
};

const signers = { min: 2, max: 3 };
const Fn = F.utils.Fn;

/** The public package the vector implies: VSS commitments of (secret, coefficient1) and each share's point. */
function publicPackage() {
  const poly = F.utils.generateSecretPolynomial(signers, fromHex(V.groupSecretKey), [
    Fn.fromBytes(fromHex(V.coefficient1)),
  ]);
  const verifyingShares: Record<string, Uint8Array> = {};
  for (const i of [1, 2, 3]) {
    verifyingShares[frostIdentifier(i)] = ed25519.Point.BASE.multiply(Fn.fromBytes(fromHex(V.shares[i]!))).toBytes();
  }
  return { signers, commitments: poly.commitment, verifyingShares };
}

/** An rng that hands out the vector's fixed randomness in order (hiding, then binding). */
function fixedRng(...chunks: string[]) {
  const queue = chunks.map(fromHex);
  return (n?: number) => {
    const next = queue.shift();
    if (!next || next.length !== n) throw new Error("rng called unexpectedly");
    return next;
  };
}

describe("RFC 9591 E.1 FROST(Ed25519, SHA-512)", () => {
  it("group key and participant shares match the secret polynomial", () => {
    expect(toHex(ed25519.getPublicKey(fromHex(V.groupSecretKey)))).not.toBe(V.groupPublicKey); // a scalar, not a seed
    expect(toHex(ed25519.Point.BASE.multiply(Fn.fromBytes(fromHex(V.groupSecretKey))).toBytes())).toBe(
      V.groupPublicKey,
    );
    const pub = publicPackage();
    expect(toHex(pub.commitments[0]!)).toBe(V.groupPublicKey);
    for (const i of [1, 2, 3]) {
      F.validateSecret({ identifier: frostIdentifier(i), signingShare: fromHex(V.shares[i]!) }, pub);
    }
    const wrong = fromHex(V.shares[2]!);
    expect(() => F.validateSecret({ identifier: frostIdentifier(1), signingShare: wrong }, pub)).toThrow();
    const recovered = F.combineSecret(
      [1, 3].map((i) => ({ identifier: frostIdentifier(i), signingShare: fromHex(V.shares[i]!) })),
      signers,
    );
    expect(toHex(recovered)).toBe(V.groupSecretKey);
  });

  it("round one (nonces from fixed randomness), round two shares and the aggregate match", () => {
    const pub = publicPackage();
    const msg = fromHex(V.message);
    const gen: Record<number, ReturnType<typeof F.commit>> = {};
    for (const i of [1, 3]) {
      const r = V.round1[i]!;
      gen[i] = F.commit(
        { identifier: frostIdentifier(i), signingShare: fromHex(V.shares[i]!) },
        fixedRng(r.hidingRandomness!, r.bindingRandomness!),
      );
      expect(toHex(gen[i]!.nonces.hiding)).toBe(r.hidingNonce);
      expect(toHex(gen[i]!.nonces.binding)).toBe(r.bindingNonce);
      expect(toHex(gen[i]!.commitments.hiding)).toBe(r.hidingCommitment);
      expect(toHex(gen[i]!.commitments.binding)).toBe(r.bindingCommitment);
    }
    const list = [gen[1]!.commitments, gen[3]!.commitments];
    const shares: Record<string, Uint8Array> = {};
    for (const i of [1, 3]) {
      const s = F.signShare(
        { identifier: frostIdentifier(i), signingShare: fromHex(V.shares[i]!) },
        pub,
        gen[i]!.nonces,
        list,
        msg,
      );
      expect(toHex(s)).toBe(V.sigShares[i]);
      expect(F.verifyShare(pub, list, msg, frostIdentifier(i), s)).toBe(true);
      shares[frostIdentifier(i)] = s;
    }
    const sig = F.aggregate(pub, list, msg, shares);
    expect(toHex(sig)).toBe(V.sig);
    // A plain RFC 8032 verifier accepts it, and rejects it for another message.
    expect(ed25519.verify(sig, msg, fromHex(V.groupPublicKey))).toBe(true);
    expect(ed25519Verify(sig, msg, fromHex(V.groupPublicKey))).toBe(true);
    expect(ed25519Verify(sig, fromHex("74657375"), fromHex(V.groupPublicKey))).toBe(false);
  });

  it("signMath (cached points, batched share check) gives the vector's shares and signature", () => {
    const pub = publicPackage();
    const msg = fromHex(V.message);
    const entries = [1, 3].map((i) => ({
      index: i,
      hiding: fromHex(V.round1[i]!.hidingCommitment!),
      binding: fromHex(V.round1[i]!.bindingCommitment!),
    }));
    const ctx = M.signingContext(fromHex(V.groupPublicKey), entries, msg);
    const shares = new Map<number, { verifyingShare: Uint8Array; share: Uint8Array }>();
    for (const i of [1, 3]) {
      const r = V.round1[i]!;
      const s = M.signShare(ctx, i, fromHex(V.shares[i]!), {
        hiding: fromHex(r.hidingNonce!),
        binding: fromHex(r.bindingNonce!),
      });
      expect(toHex(s)).toBe(V.sigShares[i]);
      const verifyingShare = pub.verifyingShares[frostIdentifier(i)]!;
      expect(M.verifyShare(ctx, i, verifyingShare, s)).toBe(true);
      shares.set(i, { verifyingShare, share: s });
    }
    expect(M.verifyShares(ctx, shares)).toBe(true);
    expect(
      toHex(
        M.aggregate(
          ctx,
          [...shares.values()].map((s) => s.share),
        ),
      ),
    ).toBe(V.sig);
    // One altered share: the batch check and the single check both refuse it; the other share still passes.
    const bad = fromHex(V.sigShares[3]!);
    bad[0]! ^= 1;
    shares.set(3, { verifyingShare: pub.verifyingShares[frostIdentifier(3)]!, share: bad });
    expect(M.verifyShares(ctx, shares)).toBe(false);
    expect(M.verifyShare(ctx, 3, pub.verifyingShares[frostIdentifier(3)]!, bad)).toBe(false);
    expect(M.verifyShare(ctx, 1, pub.verifyingShares[frostIdentifier(1)]!, fromHex(V.sigShares[1]!))).toBe(true);
    // A share checked against another signer's verifying share fails.
    expect(M.verifyShare(ctx, 1, pub.verifyingShares[frostIdentifier(3)]!, fromHex(V.sigShares[1]!))).toBe(false);
  });

  it("signMath refuses points outside the prime-order subgroup and the identity", () => {
    // A point of order 8 (small torsion) and the identity encoding.
    const torsion = fromHex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");
    const identity = fromHex("0100000000000000000000000000000000000000000000000000000000000000");
    const good = fromHex(V.round1[1]!.hidingCommitment!);
    for (const p of [torsion, identity]) {
      expect(() => M.validPoint(p)).toThrow();
      expect(() =>
        M.signingContext(fromHex(V.groupPublicKey), [{ index: 1, hiding: good, binding: p }], fromHex(V.message)),
      ).toThrow();
    }
  });
});
