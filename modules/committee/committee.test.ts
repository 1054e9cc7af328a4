import { createPublicKey, verify as nodeVerify } from "node:crypto";
import { ed25519_FROST } from "@noble/curves/ed25519.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ecvrfVerify } from "../../common/ecvrf.js";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { toHex } from "../../common/hash.js";
import { decodeMessage, encodeMessage, packAny } from "../../common/protobuf.js";
import { SignedTypes, signMessage } from "../../node-agent/coordinator/frost/auth.js";
import { FrostInvalidShareError } from "../../node-agent/coordinator/frost/errors.js";
import { CommitteeStatus } from "../../proto/gen/dsdn/committee/v1/committee.js";
import { DkgResult, SignatureShare } from "../../proto/gen/dsdn/committee/v1/frost.js";
import { QueryCandidatesRequest, QueryCandidatesResponse } from "../../proto/gen/dsdn/committee/v1/query.js";
import {
  MsgRegisterCoordinator,
  MsgReportConflictingReceipts,
  MsgReportUnauthorizedSigner,
  MsgSubmitDkgResult,
} from "../../proto/gen/dsdn/committee/v1/tx.js";
import { ThresholdReceipt } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { QueryValidatorRequest, QueryValidatorResponse } from "../../proto/gen/dsdn/stake/v1/query.js";
import { receiptSigningMessage } from "../receipts/receiptBytes.js";
import {
  addressOf,
  claimMsg,
  type Fixture,
  queryCommittee,
  registerCoordinatorMsg,
  setupFixture,
  signReceipt,
} from "../receipts/testFixture.js";
import { CHAIN_ID } from "../stake/testChain.js";
import { genesisSeed, redrawSeed, seedAlpha, seedFromOutput } from "./epochSeed.js";
import { selectCommittee, type WeightedCandidate } from "./selection.js";

/** An Ed25519 verifier that shares no code with noble: OpenSSL through node:crypto. */
function opensslVerify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  const key = createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(publicKey).toString("base64url") },
    format: "jwk",
  });
  return nodeVerify(null, message, key, signature);
}

function subsets(n: number, t: number): number[][] {
  if (t === 0) return [[]];
  if (n < t) return [];
  return [...subsets(n - 1, t - 1).map((s) => [...s, n]), ...subsets(n - 1, t)];
}

function tokensOf(fx: Fixture, operator: string): { tokens: bigint; jailed: boolean } {
  const v = fx.chain.query(
    "/dsdn.stake.v1.Query/Validator",
    QueryValidatorRequest,
    { address: operator },
    QueryValidatorResponse,
  ).validator!;
  return { tokens: BigInt(v.tokens), jailed: v.jailed };
}

describe.each([
  [4, 3],
  [7, 5],
])("a %i-member committee", (n, t) => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await setupFixture({ validators: n });
  }, 120_000);
  afterAll(() => fx?.dispose());

  it(`is selected from the registered coordinators and its ${t}-of-${n} DKG result is recorded on chain`, () => {
    const c = queryCommittee(fx.chain);
    expect(c.epoch).toBe(1n);
    expect(c.members).toHaveLength(n);
    expect(c.threshold).toBe(t);
    expect(c.status).toBe(CommitteeStatus.COMMITTEE_STATUS_ACTIVE);
    const g = fx.groups.get(1n)!.group;
    expect(toHex(c.groupPublicKey)).toBe(toHex(g.groupPublicKey));
    expect(c.verifyingShares.map(toHex)).toEqual(g.verifyingShares.map(toHex));
  });

  it("anyone recomputes the seed (ECVRF proof of the recorded input) and the selection from the candidates", () => {
    const c = queryCommittee(fx.chain);
    expect(toHex(c.anchor)).toBe(toHex(seedAlpha(CHAIN_ID, 1n, genesisSeed(CHAIN_ID))));
    const cands = fx.chain.query(
      "/dsdn.committee.v1.Query/Candidates",
      QueryCandidatesRequest,
      {},
      QueryCandidatesResponse,
    ).candidates;
    const producer = cands.find((x) => x.operator === c.seedProducer)!;
    const beta = ecvrfVerify(producer.vrfPublicKey, c.anchor, c.vrfProof)!;
    expect(toHex(seedFromOutput(beta))).toBe(toHex(c.seed));
    const weighted: WeightedCandidate[] = cands.map((x) => ({
      operator: x.operator,
      identityKey: x.identityKey,
      endpoint: x.endpoint,
      weight: BigInt(c.members.find((m) => m.operator === x.operator)!.weight),
      vrfPublicKey: x.vrfPublicKey,
    }));
    expect(selectCommittee(c.seed, weighted, n).map((m) => m.operator)).toEqual(c.members.map((m) => m.operator));
  });

  it(`signs with any ${t} of the ${n} members; every aggregate is a plain Ed25519 signature`, async () => {
    const all = subsets(n, t);
    const pick = n === 4 ? all : all.filter((_, i) => i % 5 === 0); // 4 of 4 subsets; 5 of the 21 for 5-of-7
    const key = queryCommittee(fx.chain).groupPublicKey;
    for (const signers of pick) {
      const p = await signReceipt(fx, {}, { signers });
      expect(opensslVerify(p.receipt.signature, receiptSigningMessage(p.bytes), key)).toBe(true);
      const r = fx.chain.exec(fx.bob, [claimMsg(addressOf(fx.bob), p)]);
      expect(r.code, r.log).toBe(0);
    }
  });
});

describe("FROST and the chain refuse what is not a committee's work", () => {
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

  it("a coordinator registration needs a validator and a proof of the identity key", () => {
    const r1 = fx.chain.exec(fx.alice, [registerCoordinatorMsg(fx.alice, ed25519KeyPair())]);
    expect([r1.codespace, r1.code]).toEqual(["committee", 2]);
    const key = ed25519KeyPair();
    const signedForA = MsgRegisterCoordinator.decode(
      registerCoordinatorMsg(fx.vals[0]!, key, "http://a.example").value,
    );
    const r2 = fx.chain.exec(fx.vals[0]!, [
      packAny("/dsdn.committee.v1.MsgRegisterCoordinator", MsgRegisterCoordinator, {
        ...signedForA,
        endpoint: "http://b.example",
      }),
    ]);
    expect([r2.codespace, r2.code]).toEqual(["committee", 3]);
    const taken = fx.frost.identities[1]!; // validator 1's identity key
    const r3 = fx.chain.exec(fx.vals[0]!, [registerCoordinatorMsg(fx.vals[0]!, taken)]);
    expect([r3.codespace, r3.code]).toEqual(["committee", 4]);
  });

  it("conflicting receipts slash every named signer; the same evidence twice and non-conflicts are refused", async () => {
    const c = queryCommittee(fx.chain);
    const a = await signReceipt(fx, {}, { signers: [1, 2, 3] });
    const b = await signReceipt(
      fx,
      { workloadId: a.data.workloadId, reward: a.data.reward, usage: a.data.usage, signers: [2, 3, 4] },
      { signers: [2, 3, 4] },
    );
    const before = c.members.map((m) => tokensOf(fx, m.operator).tokens);
    const report = (x: typeof a, y: typeof a) =>
      packAny("/dsdn.committee.v1.MsgReportConflictingReceipts", MsgReportConflictingReceipts, {
        signer: addressOf(fx.carol),
        receiptA: Buffer.from(ThresholdReceipt.encode(x.receipt).finish()),
        receiptB: Buffer.from(ThresholdReceipt.encode(y.receipt).finish()),
      });
    const other = await signReceipt(fx);
    expect(fx.chain.exec(fx.carol, [report(a, other)]).code).toBe(11);
    const r = fx.chain.exec(fx.carol, [report(a, b)]);
    expect(r.code, r.log).toBe(0);
    c.members.forEach((m, i) => {
      const now = tokensOf(fx, m.operator);
      const expected = before[i]! - (before[i]! * 50_000n) / 1_000_000n; // all four signed one or the other
      expect(now.tokens).toBe(expected);
      expect(now.jailed).toBe(true);
    });
    expect(fx.chain.exec(fx.carol, [report(b, a)]).code).toBe(12);
  });
});

describe("MsgSubmitDkgResult", () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await setupFixture({ validators: 4, skipDkg: true });
  }, 60_000);
  afterAll(() => fx?.dispose());

  it("records only all members' identical signed results for exactly the selected committee, once, by a member", async () => {
    const c = queryCommittee(fx.chain);
    expect(c.status).toBe(CommitteeStatus.COMMITTEE_STATUS_PENDING_DKG);
    const members = c.members.map((m) => new Uint8Array(m.identityKey));
    const submit = (signer: string, results: readonly DkgResult[]) =>
      packAny("/dsdn.committee.v1.MsgSubmitDkgResult", MsgSubmitDkgResult, {
        signer,
        epoch: 1n,
        results: results.map((r) => Buffer.from(encodeMessage(DkgResult, r))),
      });
    const member = fx.vals.find((v) => addressOf(v) === c.members[1]!.operator)!;
    const M = addressOf(member);
    const orch = (k: Uint8Array) => fx.frost.identities.findIndex((x) => toHex(x.publicKey) === toHex(k)) + 1;
    // Another order of the same members: not the selected committee.
    const swapped = [members[1]!, members[0]!, ...members.slice(2)];
    const wrongOrder = (
      await fx.frost.coordinator(orch(members[0]!)).runDkg({ epoch: 1n, threshold: 3, members: swapped })
    ).results;
    expect(fx.chain.exec(member, [submit(M, wrongOrder)]).code).toBe(9);
    const ok = (await fx.frost.coordinator(orch(members[0]!)).runDkg({ epoch: 1n, threshold: 3, members })).results;
    const forged = ok.map((r, i) => (i === 2 ? { ...r, groupPublicKey: Buffer.from(ok[0]!.verifyingShares[0]!) } : r));
    const f = fx.chain.exec(member, [submit(M, forged)]);
    expect([f.code, f.log]).toEqual([9, expect.stringMatching(/bad signature|differs/)]);
    expect(fx.chain.exec(member, [submit(M, ok.slice(0, 3))]).code).toBe(9); // t of n results are not enough
    expect(fx.chain.exec(fx.alice, [submit(addressOf(fx.alice), ok)]).code).toBe(7);
    expect(fx.chain.exec(member, [submit(M, ok)]).code).toBe(0);
    expect(queryCommittee(fx.chain).status).toBe(CommitteeStatus.COMMITTEE_STATUS_ACTIVE);
    expect(toHex(queryCommittee(fx.chain).groupPublicKey)).toBe(toHex(ok[0]!.groupPublicKey));
    expect(fx.chain.exec(member, [submit(M, ok)]).code).toBe(8);
  });
});

describe("unauthorized signing", () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await setupFixture({ validators: 4 });
  }, 60_000);
  afterAll(() => fx?.dispose());

  it("a receipt the committee signed for another epoch slashes its signers; an authorized one slashes nobody", async () => {
    const c = queryCommittee(fx.chain);
    const report = (p: { receipt: ThresholdReceipt }) =>
      packAny("/dsdn.committee.v1.MsgReportUnauthorizedSigner", MsgReportUnauthorizedSigner, {
        signer: addressOf(fx.carol),
        receipt: Buffer.from(ThresholdReceipt.encode(p.receipt).finish()),
        committeeEpoch: 1n,
      });
    const good = await signReceipt(fx, {}, { signers: [1, 2, 3] });
    const g = fx.chain.exec(fx.carol, [report(good)]);
    expect([g.codespace, g.code]).toEqual(["committee", 13]);
    const bad = await signReceipt(fx, { epoch: 9n }, { signers: [2, 3, 4] });
    const before = c.members.map((m) => tokensOf(fx, m.operator));
    const r = fx.chain.exec(fx.carol, [report({ receipt: { ...bad.receipt, epoch: 1n } })]);
    expect(r.code, r.log).toBe(0);
    c.members.forEach((m, i) => {
      const now = tokensOf(fx, m.operator);
      if (i === 0)
        expect(now).toEqual(before[i]); // participant 1 did not sign
      else expect(now.tokens).toBe(before[i]!.tokens - (before[i]!.tokens * 50_000n) / 1_000_000n);
    });
  });
});

describe("selectCommittee", () => {
  it("is deterministic and draws proportionally to weight", () => {
    const cand = (operator: string, weight: bigint): WeightedCandidate => ({
      operator,
      identityKey: new Uint8Array(32),
      endpoint: "",
      weight,
      vrfPublicKey: new Uint8Array(32),
    });
    const pool = [cand("a", 1n), cand("b", 3n), cand("c", 0n)];
    const seed = (i: number) => redrawSeed(new Uint8Array(32), i);
    expect(selectCommittee(seed(1), pool, 2).map((c) => c.operator)).toEqual(
      selectCommittee(seed(1), pool, 2).map((c) => c.operator),
    );
    expect(() => selectCommittee(seed(1), pool, 3)).toThrow(/cannot select 3 of 2/); // zero weight never drawn
    let b = 0;
    const N = 4000;
    for (let i = 0; i < N; i++) if (selectCommittee(seed(i), pool, 1)[0]!.operator === "b") b++;
    // expected 3000; 6 standard deviations (~27 each) either way
    expect(Math.abs(b - 3000)).toBeLessThan(165);
  });
});
