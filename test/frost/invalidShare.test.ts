/** FROST signing over the chain's recorded committee: a member that sends a bad signature share is named. */
import { ed25519_FROST } from "@noble/curves/ed25519.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignedTypes, signMessage } from "../../common/frost/auth.js";
import { toHex } from "../../common/hash.js";
import { decodeMessage, encodeMessage } from "../../common/protobuf.js";
import { FrostInvalidShareError } from "../../node-agent/coordinator/frost/errors.js";
import { SignatureShare } from "../../proto/gen/dsdn/committee/v1/frost.js";
import { type Fixture, setupFixture, signReceipt } from "../support/receiptFixture.js";

describe("a committee recorded on chain", () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await setupFixture({ validators: 4 });
  }, 60_000);
  afterAll(() => fx?.dispose());

  it("an invalid signature share is detected and its signer named", async () => {
    const { group } = fx.groups.get(1n)!;
    const liar = 2; // participant 2 in chain order
    const liarHex = toHex(group.members[liar - 1]!);
    const liarKey = fx.frost.identities.find((k) => toHex(k.publicKey) === liarHex)!;
    fx.frost.transport.intercept = (peer, rpc, reply) => {
      if (rpc !== "sign/share" || peer !== liarHex) return reply;
      const s = decodeMessage(SignatureShare, reply);
      const F = ed25519_FROST;
      const z = F.utils.Fn.add(F.utils.Fn.fromBytes(s.share), 1n);
      return encodeMessage(
        SignatureShare,
        signMessage(SignedTypes.SignatureShare, { ...s, share: F.utils.Fn.toBytes(z) }, liarKey),
      );
    };
    try {
      const err = await signReceipt(fx, {}, { signers: [1, 2, 3] }).catch((e) => e);
      expect(err).toBeInstanceOf(FrostInvalidShareError);
      expect(err.participantIndex).toBe(liar);
    } finally {
      fx.frost.transport.intercept = undefined;
    }
  });
});
