import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { u64be } from "../../../chain-app/encoding.js";
import { nodeSignReceipt } from "../../../clients/sdk/receipts.js";
import { cidForBytes } from "../../../common/cid.js";
import { ed25519KeyPair } from "../../../common/ed25519.js";
import { sha256, toHex } from "../../../common/hash.js";
import { parseReceiptsParams } from "../../../modules/receipts/params.js";
import {
  decodeReceiptData,
  decodeThresholdReceipt,
  receiptSigningMessage,
} from "../../../modules/receipts/receiptBytes.js";
import {
  addressOf,
  claimMsg,
  type Fixture,
  memberEndpoint,
  NUSA,
  queryCommittee,
  setupFixture,
} from "../../../modules/receipts/testFixture.js";
import { CHAIN_ID } from "../../../modules/stake/testChain.js";
import { QueryNodeRequest, QueryNodeResponse } from "../../../proto/gen/dsdn/nodes/v1/query.js";
import { QueryParamsRequest, QueryParamsResponse } from "../../../proto/gen/dsdn/receipts/v1/query.js";
import { UsageProof } from "../../../proto/gen/dsdn/receipts/v1/usage.js";
import { LocalFsStorage } from "../../storage/localfs.js";
import { buildUsageProof } from "../../storage/receipts/usageProof.js";
import { createChunkServer } from "../../storage/server.js";
import { LocalTransport } from "../frost/localTransport.js";
import type { ReceiptsChain } from "./chain.js";
import { httpChunkFetcher } from "./chunkFetch.js";
import { CommitteeMember, type ReceiptPeers, upgradesOptimistic } from "./member.js";

const nodeKey = ed25519KeyPair(new Uint8Array(32).fill(0x24)); // the fixture's node key
const fakeBlockHash = (h: bigint) => sha256(u64be(h));

let fx: Fixture;
let dir: string;
let storage: LocalFsStorage;
let server: ReturnType<typeof createChunkServer>;
let members: CommitteeMember[];
let transport: LocalTransport;
const down = new Set<number>();
const cids: string[] = [];

function chainView(): ReceiptsChain {
  return {
    chainId: async () => CHAIN_ID,
    async committee(epoch = 0n) {
      try {
        return queryCommittee(fx.chain, epoch);
      } catch {
        return undefined;
      }
    },
    receiptsParams: async () =>
      parseReceiptsParams(
        JSON.parse(
          fx.chain.query("/dsdn.receipts.v1.Query/Params", QueryParamsRequest, {}, QueryParamsResponse).paramsJson,
        ),
      ),
    node: async (nodeId) =>
      fx.chain.query("/dsdn.nodes.v1.Query/Node", QueryNodeRequest, { nodeId: Buffer.from(nodeId) }, QueryNodeResponse)
        .node,
    blockHash: async (h) => fakeBlockHash(h),
    latestHeight: async () => fx.chain.height,
    disconnect: () => {},
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "receipts-member-"));
  storage = await LocalFsStorage.open(join(dir, "node"));
  server = createChunkServer({ storage, identity: { ...nodeKey, nodeId: toHex(nodeKey.publicKey) }, zone: "z1" });
  const url = await server.app.listen({ port: 0, host: "127.0.0.1" });
  for (let i = 0; i < 3; i++) {
    const bytes = new Uint8Array(20_000 + i * 7_000).map((_, k) => (k * 31 + i) & 0xff);
    const cid = cidForBytes(bytes);
    await storage.putChunk(cid, bytes);
    cids.push(cid);
  }
  fx = await setupFixture({ validators: 4, nodeEndpoint: url });
  const view = chainView();
  const byEndpoint = new Map<string, CommitteeMember>();
  const peers: ReceiptPeers = {
    async vote(endpoint, proposal) {
      const m = byEndpoint.get(endpoint)!;
      if (down.has(members.indexOf(m))) throw new Error("member down");
      return m.handleVote(proposal);
    },
  };
  members = fx.frost.participants.map(
    (p) =>
      new CommitteeMember({
        identity: p.identity,
        store: p.store, // the shares of the fixture's DKG
        chain: view,
        fetcher: httpChunkFetcher(5_000),
        peers,
        frostTransport: () => transport,
      }),
  );
  for (const [i, m] of members.entries()) byEndpoint.set(memberEndpoint(i), m);
  transport = new LocalTransport(members.map((m) => m.participant));
}, 60_000);

afterAll(async () => {
  await server?.app.close();
  fx?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function proof(manifestCid: string, o: { submitter?: string; tamper?: (p: UsageProof) => UsageProof } = {}) {
  const epoch = queryCommittee(fx.chain).epoch;
  const p = await buildUsageProof({
    storage,
    identity: nodeKey,
    chainId: CHAIN_ID,
    manifestCid,
    submitter: o.submitter ?? addressOf(fx.alice),
    cids,
    epoch,
    periodStart: fx.chain.time - 600n,
    periodEnd: fx.chain.time,
    anchor: { height: fx.chain.height, hash: fakeBlockHash(fx.chain.height) },
  });
  return UsageProof.encode(o.tamper ? o.tamper(p) : p).finish();
}

/** The member (by chain participant index) that proposes. */
function proposer(index: number): CommitteeMember {
  const key = queryCommittee(fx.chain).members[index - 1]!.identityKey;
  return members.find((m) => m.identityHex === toHex(key))!;
}

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
    const reward = BigInt(d.reward);
    expect(reward).toBe((81_000n * 1_000_000n) / (1n << 30n));
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
