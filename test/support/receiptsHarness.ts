/**
 * @module In-process receipt committee for tests and the benchmark: the receipts fixture chain (n validators,
 * FROST DKG recorded), n CommitteeMembers sharing the fixture's key shares over an in-process transport, and a
 * real chunk server (loopback HTTP) holding the node's chunks, which members read to check usage proofs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { u64be } from "../../chain-app/encoding.js";
import { cidForBytes } from "../../common/cid.js";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { sha256, toHex } from "../../common/hash.js";
import { packAny } from "../../common/protobuf.js";
import { parseNodesParams } from "../../modules/nodes/params.js";
import { parseReceiptsParams } from "../../modules/receipts/params.js";
import type { ComputeChain } from "../../node-agent/compute/candidates.js";
import type { ComputeRecordSource } from "../../node-agent/compute/workloadCheck.js";
import { chainNodeOf } from "../../node-agent/coordinator/chainView.js";
import { LocalTransport } from "../../node-agent/coordinator/frost/localTransport.js";
import type { ReceiptsChain } from "../../node-agent/coordinator/receipts/chain.js";
import { servingCommittee } from "../../node-agent/coordinator/receipts/chain.js";
import { httpChunkFetcher } from "../../node-agent/coordinator/receipts/chunkFetch.js";
import { CommitteeMember, type ReceiptPeers } from "../../node-agent/coordinator/receipts/member.js";
import { DEFAULT_LIMITS } from "../../node-agent/http/serviceLimits.js";
import { schedulerWeightsOf } from "../../node-agent/scheduler/params.js";
import { LocalFsStorage } from "../../node-agent/storage/localfs.js";
import { buildUsageProof } from "../../node-agent/storage/receipts/usageProof.js";
import { createChunkServer } from "../../node-agent/storage/server.js";
import {
  QueryParamsRequest as CommitteeParamsRequest,
  QueryParamsResponse as CommitteeParamsResponse,
} from "../../proto/gen/dsdn/committee/v1/query.js";
import { MsgSignalDkgPresence, MsgSubmitDkgResult, MsgSubmitEpochSeed } from "../../proto/gen/dsdn/committee/v1/tx.js";
import type { WorkloadScheduled } from "../../proto/gen/dsdn/da/v1/events.js";
import {
  QueryNodeRequest,
  QueryNodeResponse,
  QueryParamsRequest as QueryNodesParamsRequest,
  QueryParamsResponse as QueryNodesParamsResponse,
} from "../../proto/gen/dsdn/nodes/v1/query.js";
import {
  QueryAffinityRequest,
  QueryAffinityResponse,
  QueryParamsRequest,
  QueryParamsResponse,
} from "../../proto/gen/dsdn/receipts/v1/query.js";
import { UsageProof } from "../../proto/gen/dsdn/receipts/v1/usage.js";
import { QueryGetStakeRequest, QueryGetStakeResponse } from "../../proto/gen/dsdn/stake/v1/query.js";
import {
  addressOf,
  type Fixture,
  memberEndpoint,
  queryCommittee,
  querySeedRequest,
  setupFixture,
} from "./receiptFixture.js";
import { CHAIN_ID } from "./testChain.js";

/** The fixture's node key (testFixture registers ed25519KeyPair(0x24…)). */
export const harnessNodeKey = ed25519KeyPair(new Uint8Array(32).fill(0x24));
/** TestChain hands the app zero block hashes; the harness's chain view and the node agree on this instead. */
export const fakeBlockHash = (h: bigint) => sha256(u64be(h));

export interface ReceiptHarness {
  readonly fx: Fixture;
  readonly storage: LocalFsStorage;
  readonly members: CommitteeMember[];
  readonly transport: LocalTransport;
  /** Member positions (in `members`) whose vote RPC fails as if down. */
  readonly down: Set<number>;
  readonly cids: string[];
  /** What the members read as DA's compute records (tests put WorkloadScheduled / ComputeReported here). */
  readonly records: MemoryComputeRecords;
  /** The fixture chain as the compute side sees it (schedules recompute against it). */
  readonly computeChain: ComputeChain;
  /** A signed usage proof of the stored chunks for `manifestCid`, anchored on the latest block. */
  proof(manifestCid: string, o?: { submitter?: string; tamper?: (p: UsageProof) => UsageProof }): Promise<Uint8Array>;
  /** The member that is participant `index` (1-based, chain order). */
  proposer(index: number): CommitteeMember;
  close(): Promise<void>;
}

export function testChainView(fx: Fixture): ReceiptsChain {
  return {
    chainId: async () => CHAIN_ID,
    async committee(epoch = 0n) {
      try {
        return queryCommittee(fx.chain, epoch);
      } catch {
        return undefined;
      }
    },
    seedRequest: async () => querySeedRequest(fx.chain),
    committeeParams: async () =>
      JSON.parse(
        fx.chain.query("/dsdn.committee.v1.Query/Params", CommitteeParamsRequest, {}, CommitteeParamsResponse)
          .paramsJson,
      ),
    latestBlockTime: async () => fx.chain.time,
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

/** Compute records held in memory, as a DA replay would give them. */
export class MemoryComputeRecords implements ComputeRecordSource {
  readonly scheduledById = new Map<string, { event: WorkloadScheduled; daHeight: bigint }>();
  readonly reportsById = new Map<string, Uint8Array[]>();
  async scheduled(id: string) {
    return this.scheduledById.get(id);
  }
  async reports(id: string) {
    return this.reportsById.get(id) ?? [];
  }
  schedule(event: WorkloadScheduled): void {
    const id = toHex(event.workloadId);
    if (!this.scheduledById.has(id))
      this.scheduledById.set(id, { event, daHeight: BigInt(this.scheduledById.size + 1) });
  }
  report(id: string, result: Uint8Array): void {
    this.reportsById.set(id, [...(this.reportsById.get(id) ?? []), result]);
  }
}

/** The fixture chain through the compute side's interface (the latest state: the fixture keeps no history). */
export function testComputeChain(fx: Fixture): ComputeChain {
  return {
    chainId: async () => CHAIN_ID,
    height: async () => fx.chain.height,
    async node(nodeId) {
      try {
        const n = fx.chain.query(
          "/dsdn.nodes.v1.Query/Node",
          QueryNodeRequest,
          { nodeId: Buffer.from(nodeId) },
          QueryNodeResponse,
        ).node;
        return n ? chainNodeOf(n) : undefined;
      } catch {
        return undefined;
      }
    },
    async stakeWeight(operator) {
      const w = fx.chain.query(
        "/dsdn.stake.v1.Query/GetStake",
        QueryGetStakeRequest,
        { address: operator },
        QueryGetStakeResponse,
      ).stakeWeight;
      return /^\d+$/.test(w) ? BigInt(w) : 0n;
    },
    affinity: async (a, b) =>
      fx.chain.query("/dsdn.receipts.v1.Query/Affinity", QueryAffinityRequest, { a, b }, QueryAffinityResponse)
        .affinity,
    schedulerWeights: async () =>
      schedulerWeightsOf(
        parseNodesParams(
          JSON.parse(
            fx.chain.query("/dsdn.nodes.v1.Query/Params", QueryNodesParamsRequest, {}, QueryNodesParamsResponse)
              .paramsJson,
          ),
        ),
      ),
  };
}

/** Member i's chain duties as its validator operator's txs on the fixture chain (seed, presence, DKG result). */
function chainDuties(fx: Fixture, i: number) {
  const val = fx.vals[i]!;
  const signer = addressOf(val);
  const send = (msg: Any, what: string) => {
    const r = fx.chain.exec(val, [msg]);
    if (r.code !== 0) throw new Error(`${what} failed: code ${r.code} ${r.log}`);
  };
  return {
    submitSeed: async (epoch: bigint, proof: Uint8Array) =>
      send(
        packAny("/dsdn.committee.v1.MsgSubmitEpochSeed", MsgSubmitEpochSeed, {
          signer,
          epoch,
          proof: Buffer.from(proof),
        }),
        "MsgSubmitEpochSeed",
      ),
    signalPresence: async (epoch: bigint, attempt: number) =>
      send(
        packAny("/dsdn.committee.v1.MsgSignalDkgPresence", MsgSignalDkgPresence, { signer, epoch, attempt }),
        "MsgSignalDkgPresence",
      ),
    submitDkg: async (epoch: bigint, results: readonly Uint8Array[]) =>
      send(
        packAny("/dsdn.committee.v1.MsgSubmitDkgResult", MsgSubmitDkgResult, {
          signer,
          epoch,
          results: results.map((r) => Buffer.from(r)),
        }),
        "MsgSubmitDkgResult",
      ),
  };
}

export async function startReceiptHarness(
  o: {
    validators?: number;
    chunkSizes?: number[];
    committee?: Record<string, string>;
    /** Members submit seeds, presence and DKG results as their operators' txs (epoch rotation tests). */
    chainDuties?: boolean;
    /** Members' clock: the chain's block time instead of the wall clock (receipts whose timestamps the chain checks). */
    chainClock?: boolean;
  } = {},
): Promise<ReceiptHarness> {
  const dir = mkdtempSync(join(tmpdir(), "receipts-harness-"));
  const storage = await LocalFsStorage.open(join(dir, "node"));
  const server = createChunkServer({
    authority: "open",
    storage,
    identity: { ...harnessNodeKey, nodeId: toHex(harnessNodeKey.publicKey) },
    zone: "z1",
    // The node shares this process with the in-process chain and four committee members, whose synchronous work
    // (blocks, DKG math) stalls the event loop for seconds on a loaded machine: load shedding would answer the
    // members' range reads with 503 (a flaky "node did not serve"). A real node sheds load in its own process.
    limits: { ...DEFAULT_LIMITS, maxEventLoopDelayMs: 0 },
  });
  const url = await server.app.listen({ port: 0, host: "127.0.0.1" });
  const cids: string[] = [];
  for (const [i, size] of (o.chunkSizes ?? [20_000, 27_000, 34_000]).entries()) {
    const bytes = new Uint8Array(size).map((_, k) => (k * 31 + i) & 0xff);
    const cid = cidForBytes(bytes);
    await storage.putChunk(cid, bytes);
    cids.push(cid);
  }
  const fx = await setupFixture({
    validators: o.validators ?? 4,
    nodeEndpoint: url,
    ...(o.committee ? { committee: o.committee } : {}),
  });
  const view = testChainView(fx);
  const records = new MemoryComputeRecords();
  const computeChain = testComputeChain(fx);
  const byEndpoint = new Map<string, CommitteeMember>();
  const down = new Set<number>();
  const members: CommitteeMember[] = [];
  const peers: ReceiptPeers = {
    async vote(endpoint, proposal) {
      const m = byEndpoint.get(endpoint)!;
      if (down.has(members.indexOf(m))) throw new Error("member down");
      return m.handleVote(proposal);
    },
  };
  let transport: LocalTransport | undefined;
  for (const [i, p] of fx.frost.participants.entries())
    members.push(
      new CommitteeMember({
        identity: p.identity,
        store: p.store, // the shares of the fixture's DKG
        chain: view,
        fetcher: httpChunkFetcher(5_000),
        peers,
        workloads: { records, chain: computeChain },
        frostTransport: () => transport!,
        ...(o.chainDuties ? chainDuties(fx, i) : {}),
        ...(o.chainClock ? { nowMs: () => Number(fx.chain.time) * 1000 } : {}),
      }),
    );
  for (const [i, m] of members.entries()) byEndpoint.set(memberEndpoint(i), m);
  transport = new LocalTransport(members.map((m) => m.participant));
  return {
    fx,
    storage,
    members,
    transport,
    down,
    cids,
    records,
    computeChain,
    async proof(manifestCid, p = {}) {
      const built = await buildUsageProof({
        storage,
        identity: harnessNodeKey,
        chainId: CHAIN_ID,
        manifestCid,
        submitter: p.submitter ?? addressOf(fx.alice),
        cids,
        epoch: (await servingCommittee(view))!.epoch,
        periodStart: fx.chain.time - 600n,
        periodEnd: fx.chain.time,
        anchor: { height: fx.chain.height, hash: fakeBlockHash(fx.chain.height) },
      });
      return UsageProof.encode(p.tamper ? p.tamper(built) : built).finish();
    },
    proposer(index) {
      const key = queryCommittee(fx.chain).members[index - 1]!.identityKey;
      return members.find((m) => m.identityHex === toHex(key))!;
    },
    async close() {
      await server.app.close();
      fx.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
