import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseNodesParams } from "../../modules/nodes/params.js";
import { DEFAULT_SCHEDULER_WEIGHTS, schedulerWeightsOf } from "./params.js";
import {
  type NodeResources,
  ScheduleRefusedError,
  type ScheduleRequest,
  type SchedulerNode,
  schedule,
} from "./schedule.js";

const W = DEFAULT_SCHEDULER_WEIGHTS;
const idle: NodeResources = {
  cpuFreePermille: 500,
  ramFreeBytes: 8n << 30n,
  gpuFreePermille: 0,
  latencyMs: 20,
  ioPressurePermille: 100,
};
const node = (i: number, over: Partial<SchedulerNode> = {}, res: Partial<NodeResources> = {}): SchedulerNode => ({
  nodeId: i.toString(16).padStart(64, "0"),
  operator: `op${i}`,
  status: "active",
  staked: true,
  stakeWeightMicro: 1_000_000n,
  zone: "zone-a",
  class: "regular",
  resources: { ...idle, ...res },
  ...over,
});
const req = (over: Partial<ScheduleRequest> = {}): ScheduleRequest => ({
  workloadId: new Uint8Array(32).fill(1),
  submitter: "alice",
  affinity: new Set(),
  replicas: 1,
  zones: [],
  nodeClass: "regular",
  memoryBytes: 64n << 20n,
  ...over,
});

describe("schedule: the choice is logical", () => {
  it("picks the node with more free CPU, RAM, lower latency, less IO pressure", () => {
    const nodes = [
      node(1, {}, { cpuFreePermille: 100 }),
      node(2, {}, { cpuFreePermille: 900 }),
      node(3, {}, { latencyMs: 400 }),
      node(4, {}, { ioPressurePermille: 900 }),
    ];
    expect(schedule(nodes, req(), W).chosen).toEqual([node(2).nodeId]);
    expect(schedule([node(1), node(3, {}, { latencyMs: 1 })], req(), W).chosen).toEqual([node(3).nodeId]);
    expect(
      schedule([node(1, {}, { ioPressurePermille: 0 }), node(4, {}, { ioPressurePermille: 900 })], req(), W).chosen,
    ).toEqual([node(1).nodeId]);
    expect(schedule([node(1), node(2, { stakeWeightMicro: 3_000_000n })], req(), W).chosen).toEqual([node(2).nodeId]);
  });

  it("skips the submitter's own node and wallet-affine operators even when they score best", () => {
    const nodes = [
      node(1, { operator: "alice" }, { cpuFreePermille: 1000 }),
      node(2, {}, { cpuFreePermille: 1000 }),
      node(3),
    ];
    const s = schedule(nodes, req({ affinity: new Set(["op2"]) }), W);
    expect(s.chosen).toEqual([node(3).nodeId]);
    expect(s.ranking.find((r) => r.nodeId === node(1).nodeId)?.excluded).toBe("self_dealing");
    expect(s.ranking.find((r) => r.nodeId === node(2).nodeId)?.excluded).toBe("wallet_affinity");
  });

  it("skips nodes that are not Active, not staked, silent (no heartbeat) or short of RAM", () => {
    const nodes = [
      node(1, { status: "quarantined" }, { cpuFreePermille: 1000 }),
      node(2, { staked: false }, { cpuFreePermille: 1000 }),
      node(3, { resources: undefined }),
      node(4, {}, { ramFreeBytes: 1n << 20n, cpuFreePermille: 1000 }),
      node(5, {}, { cpuFreePermille: 1 }),
    ];
    const s = schedule(nodes, req(), W);
    expect(s.chosen).toEqual([node(5).nodeId]);
    expect(s.ranking.map((r) => r.excluded ?? "ok").sort()).toEqual(
      ["insufficient_ram", "no_heartbeat", "not_active", "not_staked", "ok"].sort(),
    );
  });

  it("prefers the intent's zones and class", () => {
    const nodes = [node(1, { zone: "zone-a" }, { cpuFreePermille: 1000 }), node(2, { zone: "zone-b" })];
    expect(schedule(nodes, req({ zones: ["zone-b"] }), W).chosen).toEqual([node(2).nodeId]);
    const dc = [node(1), node(2, { class: "datacenter" })];
    expect(schedule(dc, req({ nodeClass: "datacenter" }), W).chosen).toEqual([node(2).nodeId]);
  });

  it("replicas go to distinct nodes of distinct operators", () => {
    const nodes = [
      node(1, {}, { cpuFreePermille: 1000 }),
      node(2, { operator: "op1" }, { cpuFreePermille: 999 }),
      node(3),
    ];
    const s = schedule(nodes, req({ replicas: 2 }), W);
    expect(s.chosen).toEqual([node(1).nodeId, node(3).nodeId]);
    expect(() => schedule(nodes.slice(0, 2), req({ replicas: 2 }), W)).toThrow(/only 1 of 2/);
  });

  it("a submitter owning every candidate node is refused with a clear message", () => {
    const nodes = [node(1, { operator: "alice" }), node(2, { operator: "alice" }), node(3, { status: "banned" })];
    let err: unknown;
    try {
      schedule(nodes, req(), W);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScheduleRefusedError);
    expect((err as Error).message).toMatch(
      /no fair node can run this workload: every candidate node is operated by the submitter alice/,
    );
    // … but not when the real reason is something else (no node has room).
    expect(() => schedule([node(1, {}, { ramFreeBytes: 0n })], req(), W)).toThrow(/only 0 of 1/);
  });

  it("a candidate list naming one node twice is refused (corrupt input, not a tie to break)", () => {
    expect(() => schedule([node(1), node(1, { operator: "alice" })], req(), W)).toThrow(/twice/);
  });

  it("weights are the nodes module's params: validated integers 0..999999", () => {
    expect(schedulerWeightsOf(parseNodesParams({ schedulerWeightCpu: "5" })).cpu).toBe(5n);
    expect(schedulerWeightsOf(parseNodesParams({ schedulerWeightIo: "0" })).io).toBe(0n);
    expect(schedulerWeightsOf(parseNodesParams({})).stake).toBe(DEFAULT_SCHEDULER_WEIGHTS.stake);
    expect(() => parseNodesParams({ schedulerWeightCpu: 1.5 })).toThrow(/schedulerWeightCpu/);
    expect(() => parseNodesParams({ schedulerWeightCpu: "1000000" })).toThrow(/schedulerWeightCpu: must be 0..999999/);
    expect(() => parseNodesParams({ schedulerWeightStake: "-1" })).toThrow(/schedulerWeightStake/);
  });
});

describe("schedule: properties", () => {
  const arbNode = fc.record({
    i: fc.integer({ min: 1, max: 40 }),
    operator: fc.constantFrom("alice", "bob", "carol", "dave", "erin", "frank"),
    status: fc.constantFrom("active", "active", "active", "quarantined", "offline"),
    staked: fc.boolean(),
    stake: fc.bigInt({ min: 0n, max: 20_000_000n }),
    zone: fc.constantFrom("zone-a", "zone-b", "zone-c"),
    cls: fc.constantFrom("regular" as const, "datacenter" as const),
    hb: fc.option(
      fc.record({
        cpuFreePermille: fc.integer({ min: 0, max: 1000 }),
        ramFreeBytes: fc.bigInt({ min: 0n, max: 1n << 36n }),
        gpuFreePermille: fc.integer({ min: 0, max: 1000 }),
        latencyMs: fc.integer({ min: 0, max: 5000 }),
        ioPressurePermille: fc.integer({ min: 0, max: 1000 }),
      }),
      { nil: undefined },
    ),
  });
  const arbReq = fc.record({
    workloadId: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    submitter: fc.constantFrom("alice", "bob"),
    affinity: fc.subarray(["carol", "dave"]).map((a) => new Set(a)),
    replicas: fc.integer({ min: 1, max: 3 }),
    zones: fc.subarray(["zone-a", "zone-b"]),
    nodeClass: fc.constantFrom("regular" as const, "datacenter" as const),
    memoryBytes: fc.bigInt({ min: 0n, max: 1n << 34n }),
  });
  const toNodes = (
    xs: {
      i: number;
      operator: string;
      status: string;
      staked: boolean;
      stake: bigint;
      zone: string;
      cls: "regular" | "datacenter";
      hb?: NodeResources;
    }[],
  ) =>
    xs.map((x) =>
      node(x.i, {
        operator: x.operator,
        status: x.status,
        staked: x.staked,
        stakeWeightMicro: x.stake,
        zone: x.zone,
        class: x.cls,
        resources: x.hb,
      }),
    );
  const run = (nodes: SchedulerNode[], r: ScheduleRequest) => {
    try {
      return schedule(nodes, r, W).chosen;
    } catch (e) {
      if (e instanceof ScheduleRefusedError) return e.message;
      throw e;
    }
  };

  it("deterministic and independent of the candidates' order", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(arbNode, { maxLength: 25, selector: (x) => x.i }),
        arbReq,
        fc.integer(),
        (xs, r, seed) => {
          const nodes = toNodes(xs);
          const shuffled = [...nodes].sort(
            (a, b) => ((a.nodeId.charCodeAt(63) * seed) % 7) - ((b.nodeId.charCodeAt(63) * seed) % 7),
          );
          expect(run(nodes, r)).toEqual(run(nodes, r));
          expect(run(shuffled, r)).toEqual(run(nodes, r));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never picks an excluded node, picks distinct operators, and refuses only when too few qualify", () => {
    fc.assert(
      fc.property(fc.uniqueArray(arbNode, { maxLength: 25, selector: (x) => x.i }), arbReq, (xs, r) => {
        const nodes = toNodes(xs);
        const out = run(nodes, r);
        const eligible = (n: SchedulerNode) =>
          n.operator !== r.submitter &&
          !r.affinity.has(n.operator) &&
          n.status === "active" &&
          n.staked &&
          n.resources !== undefined &&
          n.resources.ramFreeBytes >= r.memoryBytes;
        const eligibleOperators = new Set(nodes.filter(eligible).map((n) => n.operator));
        if (typeof out === "string") {
          expect(eligibleOperators.size).toBeLessThan(r.replicas);
          return;
        }
        expect(out).toHaveLength(r.replicas);
        const byId = new Map(nodes.map((n) => [n.nodeId, n]));
        for (const id of out) expect(eligible(byId.get(id)!)).toBe(true);
        expect(new Set(out.map((id) => byId.get(id)!.operator)).size).toBe(out.length);
      }),
      { numRuns: 500 },
    );
  });
});
