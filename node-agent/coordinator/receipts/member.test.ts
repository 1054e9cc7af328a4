import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeSignReceipt } from "../../../clients/sdk/receipts.js";
import { toHex } from "../../../common/hash.js";
import {
  decodeReceiptData,
  decodeThresholdReceipt,
  receiptSigningMessage,
} from "../../../common/receipts/receiptBytes.js";
import { UsageProof } from "../../../proto/gen/dsdn/receipts/v1/usage.js";
import {
  addressOf,
  claimMsg,
  type Fixture,
  NUSA,
  queryCommittee,
  unusaAtOraclePrice,
} from "../../../test/support/receiptFixture.js";
import { harnessNodeKey, type ReceiptHarness, startReceiptHarness } from "../../../test/support/receiptsHarness.js";
import { CHAIN_ID } from "../../../test/support/testChain.js";
import { LocalTransport } from "../frost/localTransport.js";
import type { CommitteeMember } from "./member.js";
import { upgradesOptimistic } from "./member.js";

let h: ReceiptHarness;
let fx: Fixture;
let members: CommitteeMember[];
let transport: LocalTransport;
let down: Set<number>;
let storage: ReceiptHarness["storage"];
let cids: string[];
const nodeKey = harnessNodeKey;

beforeAll(async () => {
  h = await startReceiptHarness();
  ({ fx, members, transport, down, storage, cids } = h);
}, 60_000);
afterAll(() => h?.close());

const proof = (manifestCid: string, o: { submitter?: string; tamper?: (p: UsageProof) => UsageProof } = {}) =>
  h.proof(manifestCid, o);
const proposer = (index: number) => h.proposer(index);

describe("committee receipt service: propose → vote → FROST sign → aggregate", () => {
  it("issues a threshold receipt every member checked; the node claims it and is paid its 70%", async () => {
    const res = await proposer(2).handleRequest({ usageProof: Buffer.from(await proof("bafkreimanifestone")) });
    const tr = decodeThresholdReceipt(res.thresholdReceipt);
    const d = decodeReceiptData(tr.receiptData);
    const c = queryCommittee(fx.chain);
    expect(d.signers).toHaveLength(c.threshold);
    expect(d.usage!.chunks).toBe(3n);
    expect(d.usage!.bytes).toBe(20_000n + 27_000n + 34_000n);
    expect(d.usage!.byteSeconds).toBe(81_000n * 600n);
    expect(
      upgradesOptimistic(
        Buffer.from(Buffer.from(tr.receiptData)).subarray(0),
        res.optimisticSignature,
        res.proposer,
        tr,
      ),
    ).toBe(false);
    const body = decodeReceiptData(tr.receiptData);
    const bodyBytes = (await import("../../../proto/gen/dsdn/receipts/v1/receipts.js")).ReceiptData.encode({
      ...body,
      signers: [],
    }).finish();
    expect(upgradesOptimistic(bodyBytes, res.optimisticSignature, res.proposer, tr)).toBe(true);
    const bob0 = fx.chain.balance(addressOf(fx.bob));
    const r = fx.chain.exec(fx.bob, [
      claimMsg(addressOf(fx.bob), { receipt: tr, nodeSignature: nodeSignReceipt(tr, nodeKey.secretKey) }),
    ]);
    expect(r.code, r.log).toBe(0);
    // Receipt v2: nano-USD at $0.05 per GiB, paid in unusa at the oracle's price.
    expect(BigInt(d.reward)).toBe((81_000n * 50_000n * 1_000n) / (1n << 30n));
    const reward = unusaAtOraclePrice(fx.chain, BigInt(d.reward));
    expect(fx.chain.balance(addressOf(fx.bob)) - bob0).toBe((reward * 70n) / 100n - 10_000n);
  });

  it("with one of four members down, receipts still come (3-of-4)", async () => {
    const c = queryCommittee(fx.chain);
    const victim = members.findIndex((m) => m.identityHex === toHex(c.members[3]!.identityKey));
    down.add(victim);
    transport.down.add(members[victim]!.identityHex);
    try {
      const res = await proposer(1).handleRequest({ usageProof: Buffer.from(await proof("bafkreimanifesttwo")) });
      expect(decodeReceiptData(decodeThresholdReceipt(res.thresholdReceipt).receiptData).signers).toEqual([1, 2, 3]);
    } finally {
      down.delete(victim);
      transport.down.delete(members[victim]!.identityHex);
    }
  });

  it("a node asking twice for the same slot gets no second, conflicting receipt (honest members never equivocate)", async () => {
    const first = await proposer(1).handleRequest({ usageProof: Buffer.from(await proof("bafkreimanifestsix")) });
    expect(decodeReceiptData(decodeThresholdReceipt(first.thresholdReceipt).receiptData).signers).toHaveLength(3);
    fx.chain.block(); // a later proof: another usage proof hash, so another body for the same slot
    await expect(
      proposer(2).handleRequest({ usageProof: Buffer.from(await proof("bafkreimanifestsix")) }),
    ).rejects.toThrow(/no set of approving members could complete the signature/);
  });

  it("members refuse a proof with a wrong answer, a foreign anchor or a self-signed lie, so no receipt comes", async () => {
    const wrongAnswer = await proof("bafkreimanifestthree", {
      tamper: (p) => ({
        ...p,
        answers: p.answers.map((a, i) => (i === 0 ? { ...a, answer: Buffer.alloc(32, 7) } : a)),
      }),
    });
    // (re-signing is not needed: the signature check fails first, and a re-signed lie fails the answer check)
    await expect(proposer(1).handleRequest({ usageProof: Buffer.from(wrongAnswer) })).rejects.toThrow(
      /not signed by its node|wrong answer/,
    );
    const { buildUsageProof: build } = await import("../../storage/receipts/usageProof.js");
    const lie = await build({
      storage,
      identity: nodeKey,
      chainId: CHAIN_ID,
      manifestCid: "bafkreimanifestfour",
      submitter: addressOf(fx.alice),
      cids,
      epoch: queryCommittee(fx.chain).epoch,
      periodStart: 0n,
      periodEnd: 1n,
      anchor: { height: fx.chain.height, hash: new Uint8Array(32).fill(1) }, // not the chain's block hash
    });
    await expect(
      proposer(1).handleRequest({ usageProof: Buffer.from(UsageProof.encode(lie).finish()) }),
    ).rejects.toThrow(/anchor hash/);
  });

  it("fewer than t colluding members cannot get a signature: honest members' shares sign only approved bodies", async () => {
    const c = queryCommittee(fx.chain);
    const group = (await import("./member.js")).groupOf(c);
    const { FrostCoordinator } = await import("../frost/coordinator.js");
    const { ReceiptData } = await import("../../../proto/gen/dsdn/receipts/v1/receipts.js");
    const hex = (i: number) => toHex(c.members[i - 1]!.identityKey);
    // Participants 1 and 2 collude: their shares sign anything (the fixture's plain participants, same keys).
    const colluders = [1, 2].map((i) => fx.frost.participants.find((p) => toHex(p.identity.publicKey) === hex(i))!);
    const honest = [3, 4].map((i) => members.find((m) => m.identityHex === hex(i))!.participant);
    const mixed = new LocalTransport([...colluders, ...honest]);
    const co = new FrostCoordinator({ identity: colluders[0]!.identity, transport: mixed, timeoutMs: 5_000 });
    const real = decodeReceiptData(
      decodeThresholdReceipt(
        (await proposer(2).handleRequest({ usageProof: Buffer.from(await proof("bafkreimanifestfive")) }))
          .thresholdReceipt,
      ).receiptData,
    );
    const forged = ReceiptData.encode({ ...real, reward: (100n * NUSA).toString(), signers: [1, 2, 3] }).finish();
    const err = await co.sign({ group, message: receiptSigningMessage(forged), signers: [1, 2, 3] }).catch((e) => e);
    expect(err.details).toMatch(/participant 3: .*does not approve/);
    await expect(co.sign({ group, message: receiptSigningMessage(forged), signers: [1, 2] })).rejects.toThrow(
      /need at least 3 signers/,
    );
  });
});
