import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cidForBytes } from "../../common/cid.js";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { sha256, toHex } from "../../common/hash.js";
import { pubKeyToAddress, secp256k1KeyPair } from "../../common/secp256k1.js";
import {
  ComputeResult,
  NodeHeartbeat,
  WorkloadSpec,
  WorkloadSubmission,
} from "../../proto/gen/dsdn/compute/v1/workload.js";
import { WorkloadScheduled } from "../../proto/gen/dsdn/da/v1/events.js";
import type { ChainNode } from "../coordinator/chainView.js";
import type { DAEventInput } from "../da/events/event.js";
import { DEFAULT_SCHEDULER_WEIGHTS, type SchedulerWeights } from "../scheduler/params.js";
import type { ComputeChain } from "./candidates.js";
import { executeWorkload } from "./execute.js";
import { recomputeSchedule } from "./recompute.js";
import { ComputeService } from "./service.js";
import { signHeartbeat, signResult } from "./signed.js";
import { signSubmission } from "./workload.js";
import { type ComputeRecordSource, workloadRecordProblem } from "./workloadCheck.js";

const wc = new Uint8Array(readFileSync(new URL("../runtime/fixtures/wc.wasm", import.meta.url)));
const input = new TextEncoder().encode("a b c\nd e\n");
const CHAIN = "nusantara-local";
const NOW = 1_700_000_000_000;

const user = secp256k1KeyPair();
const userAddr = pubKeyToAddress(user.publicKey);
const nodes = [0, 1, 2].map(() => ed25519KeyPair());
const operators = [0, 1, 2].map(() => pubKeyToAddress(secp256k1KeyPair().publicKey));

function fakeChain(
  over: {
    operatorOf?: (i: number) => string;
    affine?: string[];
    stakeOf?: (operator: string) => bigint;
    weights?: SchedulerWeights;
  } = {},
): ComputeChain {
  return {
    chainId: async () => CHAIN,
    height: async () => 42n,
    node: async (id) => {
      const i = nodes.findIndex((n) => toHex(n.publicKey) === toHex(id));
      if (i < 0) return undefined;
      return {
        operator: over.operatorOf?.(i) ?? operators[i]!,
        zone: `zone-${i}`,
        nodeClass: "regular",
        endpoint: `http://node${i}`,
        capacityBytes: 1n << 40n,
        tlsCertFingerprint: new Uint8Array(32),
        status: "active",
        statusReason: "",
      } satisfies ChainNode;
    },
    stakeWeight: async (op) => over.stakeOf?.(op) ?? 1_000_000n,
    affinity: async (a, b) => a === b || (over.affine ?? []).includes(b),
    schedulerWeights: async () => over.weights ?? DEFAULT_SCHEDULER_WEIGHTS,
  };
}

function spec(over: Partial<WorkloadSpec> = {}): WorkloadSpec {
  return WorkloadSpec.fromPartial({
    version: 1,
    chainId: CHAIN,
    submitter: userAddr,
    moduleCid: cidForBytes(wc),
    inputCid: cidForBytes(input),
    workloadType: "batch",
    fuel: 10_000_000n,
    memoryPages: 16,
    traceEvery: 2048n,
    timeoutSeconds: 60,
    replicas: 1,
    agreement: "majority",
    nodeClass: "regular",
    name: "wc",
    moduleSize: BigInt(wc.length),
    inputSize: BigInt(input.length),
    moduleHash: Buffer.from(sha256(wc)),
    inputHash: Buffer.from(sha256(input)),
    ...over,
  });
}
const subBytes = (s: WorkloadSpec, at = NOW) => WorkloadSubmission.encode(signSubmission(s, user, at)).finish();

let published: DAEventInput[];
/** `now`: the chain's latest block time (the machine's own clock plays no part). */
async function service(chain = fakeChain(), o: { now?: () => number; maxWorkloads?: number } = {}) {
  published = [];
  const svc = new ComputeService({
    ...(o.maxWorkloads !== undefined ? { maxWorkloads: o.maxWorkloads } : {}),
    chain,
    registeredNodes: () => nodes.map((n) => toHex(n.publicKey)),
    publish: async (evs) => {
      published.push(...evs);
      return BigInt(published.length);
    },
    chainTimeMs: async () => (o.now ?? (() => NOW))(),
    heartbeatMaxAgeMs: 3_600_000,
  });
  for (const [i, n] of nodes.entries()) await svc.heartbeat(encodeHb(n, i));
  return svc;
}
function encodeHb(n: ReturnType<typeof ed25519KeyPair>, i: number, sequence = 1n): Uint8Array {
  return NodeHeartbeat.encode(
    signHeartbeat(
      {
        sequence,
        cpuFreePermille: 300 + i * 200,
        ramFreeBytes: 4n << 30n,
        gpuFreePermille: 0,
        latencyMs: 10,
        ioPressurePermille: 0,
        atMs: BigInt(NOW),
      },
      n,
    ),
  ).finish();
}

async function runOn(i: number, s: WorkloadSpec, finishedAt = NOW) {
  const objects = new Map([
    [s.moduleCid, wc],
    [s.inputCid, input],
  ]);
  const r = await executeWorkload(s, {
    fetchObject: async (cid) => objects.get(cid)!,
    storeObject: async (b) => cidForBytes(b),
    traceDir: mkdtempSync(join(tmpdir(), "dsdn-svc-")),
    keepTraceMs: 1000,
  });
  if (r.state !== "completed") throw new Error(r.reason);
  return signResult(
    {
      workloadId: Buffer.from(r.workloadId, "hex"),
      completed: true,
      reason: "",
      outputCid: r.outputCid,
      commitment: r.commitment,
      computeCycles: r.cycles,
      logs: [...r.logs],
      finishedAtMs: BigInt(finishedAt),
    },
    nodes[i]!,
  );
}

describe("compute service (coordinator side)", () => {
  beforeEach(() => {
    published = [];
  });

  it("schedules a signed workload on the best fair node, records it on DA, and completes with the node's commitment", async () => {
    const svc = await service();
    const s = spec();
    const sub = await svc.submit(subBytes(s));
    expect(sub.nodes).toEqual([toHex(nodes[2]!.publicKey)]);
    expect(published[0]).toMatchObject({ type: "workloadScheduled" });
    const ev = published[0]!.value as { heartbeats: Uint8Array[]; nodeIds: Uint8Array[]; chainHeight: bigint };
    expect(ev.heartbeats).toHaveLength(3);
    expect(ev.chainHeight).toBe(42n);
    expect(svc.status(sub.jobId).state).toBe("pending");
    // Anyone may list a node's assignments (GET /workloads/assigned/:node): that does not make the job "running".
    expect(svc.assigned(toHex(nodes[2]!.publicKey)).map((a) => a.jobId)).toEqual([sub.jobId]);
    expect(svc.assigned(toHex(nodes[0]!.publicKey))).toEqual([]);
    expect(svc.status(sub.jobId).state).toBe("pending");
    // The node's own signed heartbeat picks its work up: only then is the job running.
    expect((await svc.heartbeat(encodeHb(nodes[0]!, 0, 2n))).assigned).toEqual([]);
    expect(svc.status(sub.jobId).state).toBe("pending");
    const picked = await svc.heartbeat(encodeHb(nodes[2]!, 2, 2n));
    expect(picked.assigned.map((a) => a.jobId)).toEqual([sub.jobId]);
    expect(svc.status(sub.jobId).state).toBe("running");
    await svc.result(sub.jobId, await runOn(2, s));
    const st = svc.status(sub.jobId);
    expect(st.state).toBe("completed");
    expect(st.executionCommitment?.workloadId).toBe(sub.jobId);
    expect(st.outputCid).toBe(cidForBytes(new TextEncoder().encode(`2 5 ${input.length}\n`)));
    expect(published.map((e) => e.type)).toEqual(["workloadScheduled", "computeReported"]);
    // Deploying the same workload again is the same job (same id, nothing new on DA).
    const again = await svc.submit(subBytes(s, NOW + 1));
    expect(again).toMatchObject({ jobId: sub.jobId, existing: true });
    expect(published).toHaveLength(2);
  });

  it("a node must hold the job's memory and its input and module too: a 1 GiB input does not go to a node with only the pages free", async () => {
    const svc = await service();
    // Every node has 4 GiB free: exactly the pages, nothing left for the 1 GiB input the node holds while it runs.
    const s = spec({ name: "big-input", memoryPages: 65_536, traceEvery: 1n << 20n, inputSize: 1n << 30n });
    await expect(svc.submit(subBytes(s))).rejects.toThrow(/only 0 of 1 required nodes are eligible/);
    const fits = spec({ name: "fits", memoryPages: 49_000, traceEvery: 1n << 20n, inputSize: 1n << 30n });
    await expect(svc.submit(subBytes(fits))).resolves.toMatchObject({ existing: false });
  });

  it("heartbeats: forged, from an unregistered node, absurd, off the chain's clock or replayed older are refused or ignored", async () => {
    const svc = await service();
    const hb = (key: ReturnType<typeof ed25519KeyPair>, over: Partial<NodeHeartbeat> = {}) =>
      NodeHeartbeat.encode(
        signHeartbeat(
          {
            sequence: 5n,
            cpuFreePermille: 500,
            ramFreeBytes: 1n << 30n,
            gpuFreePermille: 0,
            latencyMs: 10,
            ioPressurePermille: 0,
            atMs: BigInt(NOW),
            ...over,
          },
          key,
        ),
      ).finish();
    // Another key's signature over node 0's id.
    const forged = NodeHeartbeat.decode(hb(nodes[1]!));
    forged.nodeId = Buffer.from(nodes[0]!.publicKey);
    await expect(svc.heartbeat(NodeHeartbeat.encode(forged).finish())).rejects.toThrow(/not signed by its node/);
    await expect(svc.heartbeat(hb(ed25519KeyPair()))).rejects.toThrow(/unregistered node/);
    // 2^32 − 1 permille of CPU (or GPU, or IO) to win every schedule.
    await expect(svc.heartbeat(hb(nodes[0]!, { cpuFreePermille: 0xffff_ffff }))).rejects.toThrow(/0\.\.1000/);
    await expect(svc.heartbeat(hb(nodes[0]!, { gpuFreePermille: 1001 }))).rejects.toThrow(/0\.\.1000/);
    await expect(svc.heartbeat(hb(nodes[0]!, { atMs: BigInt(NOW - 3_600_000) }))).rejects.toThrow(/60 s off/);
    await expect(svc.heartbeat(hb(nodes[0]!, { atMs: BigInt(NOW + 61_000) }))).rejects.toThrow(/60 s off/);
    // A saturating claim of RAM is taken but scores no more than 10^6 MiB free (the score's own bound).
    await svc.heartbeat(hb(nodes[0]!, { ramFreeBytes: 0xffff_ffff_ffff_ffffn }));
    // An older (replayed) heartbeat does not replace the newer one the scheduler uses.
    await svc.heartbeat(hb(nodes[0]!, { sequence: 4n, ramFreeBytes: 1n }));
    const { nodes: chosen } = await svc.submit(subBytes(spec({ name: "hb", memoryPages: 1024 })));
    expect(chosen).toHaveLength(1);
    const rec = published[0]!.value as WorkloadScheduled;
    const kept = rec.heartbeats
      .map((b) => NodeHeartbeat.decode(b))
      .find((h) => toHex(h.nodeId) === toHex(nodes[0]!.publicKey));
    expect(kept?.sequence).toBe(5n);
  });

  it("a result whose finished_at_ms is backdated (to shorten its challenge window) or future-dated is refused", async () => {
    const svc = await service();
    const s = spec({ name: "backdated" });
    const sub = await svc.submit(subBytes(s));
    const before = published.length;
    await expect(svc.result(sub.jobId, await runOn(2, s, NOW - 10 * 60_000 - 1))).rejects.toThrow(/finished_at_ms/);
    await expect(svc.result(sub.jobId, await runOn(2, s, NOW + 60_001))).rejects.toThrow(/finished_at_ms/);
    expect(published).toHaveLength(before);
    expect(svc.status(sub.jobId).state).not.toBe("completed");
    // Within the bounds (a long run's report, a node clock slightly ahead): recorded.
    await expect(svc.result(sub.jobId, await runOn(2, s, NOW - 10 * 60_000))).resolves.toMatchObject({
      recorded: true,
    });
    expect(svc.status(sub.jobId).state).toBe("completed");
  });

  it("anyone recomputes the recorded choice from the DA record + chain (dsdn-node schedule); a forged record mismatches", async () => {
    const chain = fakeChain();
    const svc = await service(chain);
    await svc.submit(subBytes(spec({ replicas: 2 })));
    const ev = WorkloadScheduled.fromPartial(published[0]!.value as WorkloadScheduled);
    const r = await recomputeSchedule(ev, chain);
    expect(r.matches).toBe(true);
    expect(r.schedule.chosen).toEqual(r.recorded);
    const forged = { ...ev, nodeIds: [...ev.nodeIds].reverse() };
    expect((await recomputeSchedule(forged, chain)).matches).toBe(false);
  });

  it("attack: a coordinator that schedules with its own weights (favouring a friend) is refused by the recompute", async () => {
    // The chain's weights rank by stake only (node 0's operator has the most); the coordinator's own (the old
    // code defaults) rank by free CPU, which favours its friend node 2.
    const stakeOnly = { cpu: 0n, ram: 0n, gpu: 0n, latency: 0n, io: 0n, class: 0n, stake: 1n };
    const stakeOf = (op: string) => BigInt(3 - operators.indexOf(op)) * 1_000_000n;
    const chain = fakeChain({ stakeOf, weights: stakeOnly });
    const own = await service({ ...chain, schedulerWeights: async () => DEFAULT_SCHEDULER_WEIGHTS });
    const s = spec({ name: "friend" });
    const bad = await own.submit(subBytes(s));
    expect(bad.nodes).toEqual([toHex(nodes[2]!.publicKey)]);
    const forged = WorkloadScheduled.fromPartial(published[0]!.value as WorkloadScheduled);
    const r = await recomputeSchedule(forged, chain);
    expect(r.matches).toBe(false);
    expect(r.schedule.chosen).toEqual([toHex(nodes[0]!.publicKey)]);
    // An honest coordinator reads the chain's weights: its record recomputes.
    const honest = await service(chain);
    expect((await honest.submit(subBytes(s))).nodes).toEqual([toHex(nodes[0]!.publicKey)]);
    const ok = WorkloadScheduled.fromPartial(published[0]!.value as WorkloadScheduled);
    expect((await recomputeSchedule(ok, chain)).matches).toBe(true);
  });

  it("never schedules on the submitter's own node or a wallet-affine operator's", async () => {
    const svc = await service(
      fakeChain({ operatorOf: (i) => (i === 2 ? userAddr : operators[i]!), affine: [operators[1]!] }),
    );
    const sub = await svc.submit(subBytes(spec()));
    expect(sub.nodes).toEqual([toHex(nodes[0]!.publicKey)]);
  });

  it("a submitter owning every candidate node is refused with a clear message, and nothing is published", async () => {
    const svc = await service(fakeChain({ operatorOf: () => userAddr }));
    await expect(svc.submit(subBytes(spec()))).rejects.toThrow(
      /no fair node can run this workload: every candidate node is operated by the submitter/,
    );
    expect(published).toEqual([]);
  });

  it("refuses forged, stale, foreign-chain and malformed submissions, naming the field", async () => {
    const svc = await service();
    const other = secp256k1KeyPair();
    const forged = WorkloadSubmission.encode(signSubmission(spec(), other, NOW)).finish();
    await expect(svc.submit(forged)).rejects.toThrow(/"public_key"/);
    const tampered = signSubmission(spec(), user, NOW);
    tampered.spec!.fuel = 99_999_999n;
    await expect(svc.submit(WorkloadSubmission.encode(tampered).finish())).rejects.toThrow(/"signature"/);
    await expect(svc.submit(subBytes(spec(), NOW - 120_000))).rejects.toThrow(/"signed_at_ms"/);
    await expect(svc.submit(subBytes(spec({ chainId: "other" })))).rejects.toThrow(/"chain_id"/);
    await expect(svc.submit(subBytes(spec({ replicas: 4 })))).rejects.toThrow(/"replicas"/);
    await expect(svc.submit(subBytes(spec({ moduleHash: Buffer.alloc(3) })))).rejects.toThrow(/"module_hash"/);
    await expect(svc.submit(new Uint8Array(5000))).rejects.toThrow(/"submission"/);
    await expect(svc.submit(Uint8Array.of(0xff, 0xff))).rejects.toThrow(/"submission"/);
    expect(published).toEqual([]);
  });

  describe("submission freshness is judged on the chain's block time, not the coordinator's machine clock", () => {
    const HOUR = 3_600_000;
    afterEach(() => {
      vi.useRealTimers();
    });

    it("a replay of an hour-old signed submission is refused by a coordinator whose clock is an hour behind", async () => {
      vi.useFakeTimers({ toFake: ["Date"], now: NOW - HOUR });
      const svc = await service();
      await expect(svc.submit(subBytes(spec({ name: "old" }), NOW - HOUR))).rejects.toThrow(
        /"signed_at_ms": must be within 60 s of the chain's latest block time/,
      );
      expect(published).toEqual([]);
    });

    it("a future-dated submission is refused by a coordinator whose clock is an hour ahead", async () => {
      vi.useFakeTimers({ toFake: ["Date"], now: NOW + HOUR });
      const svc = await service();
      await expect(svc.submit(subBytes(spec({ name: "future" }), NOW + HOUR))).rejects.toThrow(/"signed_at_ms"/);
      await expect(svc.submit(subBytes(spec({ name: "future2" }), NOW + 61_000))).rejects.toThrow(/"signed_at_ms"/);
      expect(published).toEqual([]);
    });

    it("a fresh submission is accepted whatever the coordinator's clock says, within the documented skew", async () => {
      for (const machine of [NOW - HOUR, NOW + HOUR]) {
        vi.useFakeTimers({ toFake: ["Date"], now: machine });
        const svc = await service();
        // Signed a little after the latest header (header time trails real time by about a block interval).
        const r = await svc.submit(subBytes(spec({ name: `fresh-${machine}` }), NOW + 5_000));
        expect(r.existing).toBe(false);
        expect(r.nodes).toHaveLength(1);
        vi.useRealTimers();
      }
      const svc = await service();
      await expect(svc.submit(subBytes(spec({ name: "edge-in" }), NOW - 60_000))).resolves.toMatchObject({
        existing: false,
      });
      await expect(svc.submit(subBytes(spec({ name: "edge-out" }), NOW - 60_001))).rejects.toThrow(/"signed_at_ms"/);
    });

    it("a used signature stays refused until the chain's clock, not the machine's, passes its validity", async () => {
      let chainNow = NOW;
      vi.useFakeTimers({ toFake: ["Date"], now: NOW + HOUR });
      const svc = await service(fakeChain(), { now: () => chainNow });
      const bytes = subBytes(spec({ name: "once-only" }));
      await svc.submit(bytes);
      // The machine clock is an hour on: the entry must not be pruned by it.
      await svc.submit(subBytes(spec({ name: "other" }), NOW + 1_000));
      expect(svc.usedSignatures).toBe(2);
      chainNow = NOW + 61_000;
      await svc.submit(subBytes(spec({ name: "later" }), chainNow));
      expect(svc.usedSignatures).toBe(2);
    });

    it("an unreadable or nonsensical chain time refuses the submission as unavailable", async () => {
      const svc = await service();
      const broken = new ComputeService({
        chain: fakeChain(),
        registeredNodes: () => [],
        publish: async () => 1n,
        chainTimeMs: async () => Number.NaN,
      });
      await expect(broken.submit(subBytes(spec()))).rejects.toThrow(/latest block time is not a time/);
      expect(svc.usedSignatures).toBe(0);
    });
  });

  it("replay protection is bounded: used signatures expire with their submission's validity; a replay after pruning is still refused", async () => {
    let now = NOW;
    const svc = await service(fakeChain(), { now: () => now, maxWorkloads: 1 });
    const s1 = spec({ name: "first" });
    const first = subBytes(s1);
    const a = await svc.submit(first);
    await svc.result(
      a.jobId,
      await runOn(
        nodes.findIndex((n) => toHex(n.publicKey) === a.nodes[0]),
        s1,
      ),
    );
    expect(svc.usedSignatures).toBe(1);
    // Past its validity (signed_at + 60 s): the next submission prunes it, and evicts the finished first job.
    now = NOW + 61_000;
    await svc.submit(subBytes(spec({ name: "second" }), now));
    expect(svc.usedSignatures).toBe(1);
    expect(() => svc.status(a.jobId)).toThrow(/no workload/);
    // The pruned signature's submission replayed: still refused (it is no longer fresh), nothing published.
    const before = published.length;
    await expect(svc.submit(first)).rejects.toThrow(/"signed_at_ms"/);
    expect(published).toHaveLength(before);
  });

  it("a signature is used once while valid, even after its job left memory", async () => {
    const svc = await service(fakeChain(), { maxWorkloads: 1 });
    const s1 = spec({ name: "once" });
    const bytes = subBytes(s1);
    const a = await svc.submit(bytes);
    await svc.result(
      a.jobId,
      await runOn(
        nodes.findIndex((n) => toHex(n.publicKey) === a.nodes[0]),
        s1,
      ),
    );
    await svc.submit(subBytes(spec({ name: "pushes-it-out" })));
    expect(() => svc.status(a.jobId)).toThrow(/no workload/);
    await expect(svc.submit(bytes)).rejects.toThrow(/"signature": already used/);
  });

  it("refuses results from a node the workload is not scheduled on, and forged results", async () => {
    const svc = await service();
    const s = spec();
    const { jobId } = await svc.submit(subBytes(s));
    await expect(svc.result(jobId, await runOn(0, s))).rejects.toThrow(/not scheduled on this node/);
    const good = await runOn(2, s);
    const forged = Uint8Array.from(good);
    forged[forged.length - 1]! ^= 1;
    await expect(svc.result(jobId, forged)).rejects.toThrow(/result refused/);
    expect(svc.status(jobId).state).not.toBe("completed");
  });

  it("redundant execution on distinct nodes: agreement completes; a dissenting commitment is recorded for the fraud module", async () => {
    const svc = await service();
    const s = spec({ replicas: 3, agreement: "majority" });
    const { jobId, nodes: on } = await svc.submit(subBytes(s));
    expect(new Set(on).size).toBe(3);
    const idx = (id: string) => nodes.findIndex((n) => toHex(n.publicKey) === id);
    await svc.result(jobId, await runOn(idx(on[0]!), s));
    await svc.result(jobId, await runOn(idx(on[1]!), s));
    // The third node lies about its output.
    const honest = await runOn(idx(on[2]!), s);
    const r = ComputeResult.decode(honest);
    const lie = signResult(
      { ...r, commitment: { ...r.commitment!, outputHash: Buffer.alloc(32, 9) } },
      nodes[idx(on[2]!)]!,
    );
    await svc.result(jobId, lie);
    const st = svc.status(jobId);
    expect(st.state).toBe("completed");
    expect(st.disagreement).toBe(true);
    const d = published.find((e) => e.type === "computeDisagreement")!.value as {
      nodeIds: Uint8Array[];
      commitmentHashes: Uint8Array[];
    };
    expect(d.nodeIds.map((b) => toHex(b))).toEqual(on);
    expect(toHex(d.commitmentHashes[2]!)).not.toBe(toHex(d.commitmentHashes[0]!));
  });

  it("unanimous: one dissent fails the job", async () => {
    const svc = await service();
    const s = spec({ replicas: 2, agreement: "unanimous" });
    const { jobId, nodes: on } = await svc.submit(subBytes(s));
    const idx = (id: string) => nodes.findIndex((n) => toHex(n.publicKey) === id);
    await svc.result(jobId, await runOn(idx(on[0]!), s));
    const failed = signResult(
      {
        workloadId: Buffer.from(jobId, "hex"),
        completed: false,
        reason: "trapped: out of fuel",
        outputCid: "",
        computeCycles: 0n,
        logs: [],
        finishedAtMs: BigInt(NOW),
      },
      nodes[idx(on[1]!)]!,
    );
    await svc.result(jobId, failed);
    expect(svc.status(jobId)).toMatchObject({ state: "failed", disagreement: true });
  });
});

describe("a committee member's check of the DA workload record (workloadRecordProblem)", () => {
  /** DA as the member replays it: what the service published. */
  const fromPublished = (): ComputeRecordSource => ({
    async scheduled(id) {
      const e = published.find(
        (p) => p.type === "workloadScheduled" && toHex((p.value as WorkloadScheduled).workloadId) === id,
      );
      return e ? { event: WorkloadScheduled.fromPartial(e.value as WorkloadScheduled), daHeight: 1n } : undefined;
    },
    async reports(id) {
      return published
        .filter((p) => p.type === "computeReported" && toHex((p.value as { workloadId: Uint8Array }).workloadId) === id)
        .map((p) => (p.value as { result: Uint8Array }).result);
    },
  });
  const idx = (id: string) => nodes.findIndex((n) => toHex(n.publicKey) === id);

  it("backs a scheduled node's result; refuses an unscheduled node and a job that is not on DA", async () => {
    const chain = fakeChain();
    const svc = await service(chain);
    const s = spec({ name: "check" });
    const { jobId, nodes: on } = await svc.submit(subBytes(s));
    const mine = ComputeResult.decode(await runOn(idx(on[0]!), s));
    expect(await workloadRecordProblem(jobId, mine, fromPublished(), chain)).toBeUndefined();
    const stranger = ComputeResult.decode(await runOn((idx(on[0]!) + 1) % 3, s));
    expect(await workloadRecordProblem(jobId, stranger, fromPublished(), chain)).toMatch(/not scheduled/);
    const other = spec({ name: "never-submitted" });
    const r = ComputeResult.decode(await runOn(0, other));
    expect(await workloadRecordProblem(toHex(r.workloadId), r, fromPublished(), chain)).toMatch(/no WorkloadScheduled/);
  });

  it("refuses when the recorded choice is not schedule()'s (a coordinator that picked its friend)", async () => {
    const chain = fakeChain();
    const svc = await service(chain);
    const s = spec({ name: "unfair" });
    const { jobId, nodes: on } = await svc.submit(subBytes(s));
    const friend = toHex(nodes[(idx(on[0]!) + 1) % 3]!.publicKey);
    const ev = published[0]!.value as WorkloadScheduled;
    ev.nodeIds = [Buffer.from(friend, "hex")];
    const r = ComputeResult.decode(await runOn(idx(friend), s));
    expect(await workloadRecordProblem(jobId, r, fromPublished(), chain)).toMatch(/not what schedule\(\) gives/);
  });

  it("redundant execution: signed only once the replicas' reports on DA reach the rule, and only for the agreed commitment", async () => {
    const chain = fakeChain();
    const svc = await service(chain);
    const s = spec({ name: "replicated", replicas: 3, agreement: "majority" });
    const { jobId, nodes: on } = await svc.submit(subBytes(s));
    const honest = await Promise.all(on.map((n) => runOn(idx(n), s)));
    const first = ComputeResult.decode(honest[0]!);
    // Alone, the first report is no majority of 3.
    expect(await workloadRecordProblem(jobId, first, fromPublished(), chain)).toMatch(
      /majority of 3 replicas not reached/,
    );
    await svc.result(jobId, honest[0]!);
    // A liar's result: the other two agree on the honest commitment, so the liar gets nothing.
    const lie = signResult(
      { ...first, commitment: { ...first.commitment!, outputHash: Buffer.alloc(32, 9) } },
      nodes[idx(on[2]!)]!,
    );
    await svc.result(jobId, honest[1]!);
    expect(
      await workloadRecordProblem(jobId, ComputeResult.decode(honest[1]!), fromPublished(), chain),
    ).toBeUndefined();
    expect(await workloadRecordProblem(jobId, ComputeResult.decode(lie), fromPublished(), chain)).toMatch(
      /not the one the majority agreed on/,
    );
  });

  it("unanimous: one dissenting replica on DA blocks every receipt", async () => {
    const chain = fakeChain();
    const svc = await service(chain);
    const s = spec({ name: "unanimous", replicas: 2, agreement: "unanimous" });
    const { jobId, nodes: on } = await svc.submit(subBytes(s));
    const good = await runOn(idx(on[0]!), s);
    const g = ComputeResult.decode(good);
    const lie = signResult(
      { ...g, commitment: { ...g.commitment!, outputHash: Buffer.alloc(32, 7) } },
      nodes[idx(on[1]!)]!,
    );
    await svc.result(jobId, good);
    await svc.result(jobId, lie);
    expect(await workloadRecordProblem(jobId, g, fromPublished(), chain)).toMatch(
      /unanimous of 2 replicas not reached/,
    );
  });

  it("refuses a record whose heartbeats are not from the submission's time (a coordinator replaying its friend's idle heartbeat)", async () => {
    const chain = fakeChain();
    const svc = await service(chain);
    const s = spec({ name: "stale-heartbeat" });
    const { jobId, nodes: on } = await svc.submit(subBytes(s));
    const ev = published[0]!.value as WorkloadScheduled;
    // The coordinator rewrites the record: its friend's heartbeat from an hour ago (all idle, 1 ms away), so the
    // friend wins schedule() on the recorded data, and the other nodes' current ones.
    const friendIdx = (idx(on[0]!) + 1) % 3;
    const hourOld = (i: number, atMs: number) =>
      NodeHeartbeat.encode(
        signHeartbeat(
          {
            sequence: 0n,
            cpuFreePermille: 1000,
            ramFreeBytes: 1n << 40n,
            gpuFreePermille: 1000,
            latencyMs: 1,
            ioPressurePermille: 0,
            atMs: BigInt(atMs),
          },
          nodes[i]!,
        ),
      ).finish();
    const others = ev.heartbeats.filter(
      (b) => toHex(NodeHeartbeat.decode(b).nodeId) !== toHex(nodes[friendIdx]!.publicKey),
    );
    for (const at of [NOW - 3_600_000, NOW + 3_600_000]) {
      ev.heartbeats = [...others, Buffer.from(hourOld(friendIdx, at))];
      ev.nodeIds = [Buffer.from(nodes[friendIdx]!.publicKey)];
      const r = ComputeResult.decode(await runOn(friendIdx, s));
      expect(await workloadRecordProblem(jobId, r, fromPublished(), chain)).toMatch(
        /does not verify: .*heartbeat .* not within/,
      );
    }
    // Two heartbeats of one node (the coordinator picks which one counts): refused too.
    ev.heartbeats = [...others, ...others.slice(0, 1)];
    await expect(recomputeSchedule(WorkloadScheduled.fromPartial(ev), chain)).rejects.toThrow(/twice/);
  });
});
