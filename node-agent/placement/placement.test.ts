import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { cidForBytes } from "../../common/cid.js";
import { type PlacementNode, placeChunk, rankNodes, rendezvousNegLog2 } from "./placement.js";

const node = (i: number, zone: string, extra: Partial<PlacementNode> = {}): PlacementNode => ({
  nodeId: i.toString(16).padStart(64, "0"),
  operator: `op${i}`,
  zone,
  capacityBytes: 1n << 40n,
  stakeWeightMicro: 0n,
  status: "active",
  endpoint: `http://127.0.0.1:${7400 + i}`,
  ...extra,
});
const cids = Array.from({ length: 400 }, (_, i) => cidForBytes(new TextEncoder().encode(`chunk ${i}`)));
const five = [node(1, "a"), node(2, "b"), node(3, "c"), node(4, "a"), node(5, "b")];

describe("placeChunk", () => {
  it("is deterministic and independent of input order", () => {
    for (const cid of cids.slice(0, 50)) {
      const a = placeChunk({ cid, nodes: five });
      const b = placeChunk({ cid, nodes: [...five].reverse() });
      expect(b).toEqual(a);
    }
  });

  it("puts 3 replicas in 3 distinct zones when 3 zones exist (5 nodes, 3 zones)", () => {
    for (const cid of cids) {
      const p = placeChunk({ cid, nodes: five });
      expect(p.nodes).toHaveLength(3);
      expect(new Set(p.nodes.map((n) => n.zone)).size).toBe(3);
      expect(p.underReplicated).toBe(false);
    }
  });

  it("spreads load over all nodes (rendezvous) and reports under-replication with fewer zones", () => {
    const counts = new Map<string, number>();
    for (const cid of cids)
      for (const n of placeChunk({ cid, nodes: five }).nodes) counts.set(n.nodeId, (counts.get(n.nodeId) ?? 0) + 1);
    expect(counts.size).toBe(5);
    const twoZones = [node(1, "a"), node(2, "b"), node(3, "a")];
    const p = placeChunk({ cid: cids[0]!, nodes: twoZones });
    expect(p.nodes).toHaveLength(2);
    expect(p.underReplicated).toBe(true);
  });

  it("weights by capacity and stake: a heavier node wins proportionally more often", () => {
    const nodes = [
      node(1, "a", { capacityBytes: 4n << 40n }),
      node(2, "a"),
      node(3, "a", { stakeWeightMicro: 3_000_000n }),
    ];
    const wins = new Map<string, number>();
    for (const cid of cids) {
      const first = placeChunk({ cid, nodes, replicationFactor: 1 }).nodes[0]!.nodeId;
      wins.set(first, (wins.get(first) ?? 0) + 1);
    }
    // Expected shares 4/9, 1/9, 4/9 (stake weight 3 → ×4).
    const share = (i: number) => (wins.get(node(i, "a").nodeId) ?? 0) / cids.length;
    expect(share(1)).toBeGreaterThan(0.33);
    expect(share(3)).toBeGreaterThan(0.33);
    expect(share(2)).toBeLessThan(0.2);
  });

  it("never places on the uploader's own nodes (by operator or node id)", () => {
    for (const cid of cids.slice(0, 100)) {
      const byOp = placeChunk({ cid, nodes: five, uploader: "op3" });
      expect(byOp.nodes.map((n) => n.nodeId)).not.toContain(node(3, "c").nodeId);
      const byId = placeChunk({ cid, nodes: five, uploader: node(1, "a").nodeId });
      expect(byId.nodes.map((n) => n.nodeId)).not.toContain(node(1, "a").nodeId);
    }
    // op3 is the only node in zone c: only two zones remain.
    expect(placeChunk({ cid: cids[0]!, nodes: five, uploader: "op3" }).underReplicated).toBe(true);
  });

  it("only uses Active nodes", () => {
    const statuses = ["pending", "quarantined", "banned", "offline"];
    const nodes = five.map((n, i) => (i < 4 ? { ...n, status: statuses[i]! } : n));
    for (const cid of cids.slice(0, 50)) {
      const p = placeChunk({ cid, nodes });
      expect(p.nodes.map((n) => n.nodeId)).toEqual([node(5, "b").nodeId]);
      expect(p.eligible).toBe(1);
    }
  });

  it("removing a node only moves the chunks that were on it", () => {
    let moved = 0;
    for (const cid of cids) {
      const before = placeChunk({ cid, nodes: five }).nodes.map((n) => n.nodeId);
      const after = placeChunk({ cid, nodes: five.filter((n) => n.nodeId !== node(5, "b").nodeId) }).nodes.map(
        (n) => n.nodeId,
      );
      if (!before.includes(node(5, "b").nodeId)) expect(after).toEqual(before);
      else moved++;
    }
    expect(moved).toBeGreaterThan(0);
    expect(rankNodes(cids[0]!, five)).toHaveLength(5);
  });
});

describe("placement arithmetic (reproducible later, on any machine)", () => {
  it("uses no floating-point logarithm: the same placement with Math.log and Math.log2 unavailable", () => {
    const expected = cids.slice(0, 20).map((cid) => placeChunk({ cid, nodes: five }));
    const { log, log2 } = Math;
    Math.log = () => {
      throw new Error("floating-point log used");
    };
    Math.log2 = Math.log;
    try {
      const again = cids.slice(0, 20).map((cid) => placeChunk({ cid, nodes: five }));
      expect(again).toEqual(expected);
    } finally {
      Math.log = log;
      Math.log2 = log2;
    }
  });

  it("scores are exact integers: a one-byte capacity difference near 2^62 still ranks the larger node first", () => {
    const big = 1n << 62n;
    const a = node(1, "a", { capacityBytes: big + 1n });
    const b = node(1, "a", { capacityBytes: big });
    for (const cid of cids.slice(0, 5))
      expect(rankNodes(cid, [a])[0]!.score > rankNodes(cid, [b])[0]!.score).toBe(true);
  });

  it("−log2(u) agrees with the float formula to 1e-9 and records the chain height it was given", () => {
    for (const cid of cids.slice(0, 30)) {
      const fixed = Number(rendezvousNegLog2(cid, "n1")) / 2 ** 64;
      const h = BigInt(`0x${createHash("sha256").update(cid).update("\0").update("n1").digest("hex").slice(0, 16)}`);
      const u = (Number(h) + 0.5) / 2 ** 64;
      expect(Math.abs(fixed + Math.log2(u))).toBeLessThan(1e-9 * Math.max(1, -Math.log2(u)));
    }
    expect(placeChunk({ cid: cids[0]!, nodes: five, chainHeight: 42n }).chainHeight).toBe(42n);
  });
});
