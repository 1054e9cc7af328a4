import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cidForBytes } from "../../common/cid.js";
import type { PlacementNode } from "./placement.js";
import { placeStripe } from "./stripe.js";

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
const stripe = (tag: string, n: number) =>
  Array.from({ length: n }, (_, i) => cidForBytes(new TextEncoder().encode(`${tag} shard ${i}`)));
const count = <T>(xs: readonly T[]) => {
  const m = new Map<T, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
};

describe("placeStripe", () => {
  it("10+4 over 20 nodes in 5 zones: 14 distinct nodes, no zone holds more than 4 shards (property)", () => {
    const nodes = Array.from({ length: 20 }, (_, i) => node(i + 1, `zone-${i % 5}`));
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), (tag) => {
        const p = placeStripe({ shards: stripe(tag, 14), parity: 4, nodes });
        expect(p.nodes).toHaveLength(14);
        expect(new Set(p.nodes.map((n) => n.nodeId)).size).toBe(14);
        expect(Math.max(...count(p.nodes.map((n) => n.zone)).values())).toBeLessThanOrEqual(4);
        expect(p).toMatchObject({ sharedNodes: 0, overZone: 0 });
      }),
      { numRuns: 200 },
    );
  });

  it("any m nodes (or any one zone) lost leave at least k shards when placement met its constraints (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 6, max: 24 }),
        fc.integer({ min: 3, max: 6 }),
        fc.string({ maxLength: 8 }),
        fc.array(fc.nat(), { minLength: 24, maxLength: 24 }),
        (nodeCount, zoneCount, tag, keys) => {
          const nodes = Array.from({ length: nodeCount }, (_, i) => node(i + 1, `z${i % zoneCount}`));
          const p = placeStripe({ shards: stripe(tag, 6), parity: 2, nodes });
          expect(p.sharedNodes).toBe(0);
          if (p.overZone > 0) return; // only when zones are too few; counted and reported
          const lost = new Set(
            nodes
              .map((n, i) => ({ id: n.nodeId, key: keys[i]! }))
              .sort((a, b) => a.key - b.key || (a.id < b.id ? -1 : 1))
              .slice(0, 2)
              .map((x) => x.id),
          );
          expect(p.nodes.filter((n) => !lost.has(n.nodeId)).length).toBeGreaterThanOrEqual(4);
          for (const z of new Set(nodes.map((n) => n.zone)))
            expect(p.nodes.filter((n) => n.zone !== z).length).toBeGreaterThanOrEqual(4);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("4+2 on the 5-node localnet (zones a,b,c,a,b): every node used, the overflow shard reported", () => {
    const five = [node(1, "a"), node(2, "b"), node(3, "c"), node(4, "a"), node(5, "b")];
    const p = placeStripe({ shards: stripe("x", 6), parity: 2, nodes: five });
    expect(p.nodes).toHaveLength(6);
    expect(new Set(p.nodes.map((n) => n.nodeId)).size).toBe(5);
    expect(p.sharedNodes).toBe(1);
    // 6 nodes: no sharing, and each zone holds exactly 2 = m.
    const six = [...five, node(6, "c")];
    const q = placeStripe({ shards: stripe("x", 6), parity: 2, nodes: six });
    expect(q).toMatchObject({ sharedNodes: 0, overZone: 0 });
    expect([...count(q.nodes.map((n) => n.zone)).values()]).toEqual([2, 2, 2]);
  });

  it("is deterministic, never uses the uploader's or non-Active nodes", () => {
    const nodes = Array.from({ length: 12 }, (_, i) =>
      node(i + 1, `z${i % 4}`, i === 0 ? { operator: "nusa1me" } : i === 1 ? { status: "offline" } : {}),
    );
    const shards = stripe("det", 6);
    const a = placeStripe({ shards, parity: 2, nodes, uploader: "nusa1me" });
    const b = placeStripe({ shards, parity: 2, nodes: [...nodes].reverse(), uploader: "nusa1me" });
    expect(b).toEqual(a);
    for (const n of a.nodes) expect([nodes[0]!.nodeId, nodes[1]!.nodeId]).not.toContain(n.nodeId);
    expect(placeStripe({ shards, parity: 2, nodes: [] }).nodes).toEqual([]);
  });

  it("a lost node moves only its own shard (current placement kept)", () => {
    const nodes = Array.from({ length: 10 }, (_, i) => node(i + 1, `z${i % 5}`));
    const shards = stripe("move", 6);
    const before = placeStripe({ shards, parity: 2, nodes });
    const dead = before.nodes[3]!.nodeId;
    const current = new Map(before.nodes.map((n, i) => [i, n.nodeId] as const));
    const after = placeStripe({
      shards,
      parity: 2,
      nodes: nodes.map((n) => (n.nodeId === dead ? { ...n, status: "offline" } : n)),
      current,
    });
    const moved = after.nodes.map((_n, i) => i).filter((i) => after.nodes[i]!.nodeId !== before.nodes[i]!.nodeId);
    expect(moved).toEqual([3]);
    expect(after.nodes.map((n) => n.nodeId)).not.toContain(dead);
    expect(Math.max(...count(after.nodes.map((n) => n.zone)).values())).toBeLessThanOrEqual(2);
  });

  it("refuses a malformed stripe", () => {
    expect(() => placeStripe({ shards: stripe("a", 1), parity: 1, nodes: [] })).toThrow(/2–64 shards/);
    expect(() => placeStripe({ shards: stripe("a", 6), parity: 6, nodes: [] })).toThrow(/parity must be/);
  });
});
