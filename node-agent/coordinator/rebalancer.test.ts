import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toHex } from "../../common/hash.js";
import type { DAEventInput } from "../da/events/event.js";
import type { ChunkInfo, ReplayState } from "../da/replay/state.js";
import { type PlacementNode, placeChunk } from "../placement/placement.js";
import { Rebalancer } from "./rebalancer.js";

const MiB = 1024n * 1024n;
const node = (i: number, capacityBytes = 1n << 40n): PlacementNode => ({
  nodeId: createHash("sha256").update(`node${i}`).digest("hex").slice(0, 64),
  operator: `op${i}`,
  zone: `zone-${i % 3}`,
  capacityBytes,
  stakeWeightMicro: 0n,
  status: "active",
  endpoint: `http://n${i}`,
});

/**
 * A replay state stand-in holding replicated chunks: a ChunkDeclared (a move) replaces the placement and
 * the new nodes are taken to hold the chunk at once (healing is not what is tested here).
 */
function fakeState(chunks: { cid: string; size: bigint; placement: string[] }[]) {
  const recs = new Map(chunks.map((c) => [c.cid, { ...c }]));
  const state = {
    listChunkCids: () => [...recs.keys()].sort(),
    getChunk: (cid: string): ChunkInfo | undefined => {
      const c = recs.get(cid);
      return c
        ? ({
            cid,
            size: c.size,
            uploader: "uploader",
            placement: c.placement,
            replicas: [...c.placement].sort(),
            replicationFactor: c.placement.length,
          } as unknown as ChunkInfo)
        : undefined;
    },
    chunks: new Map(chunks.map((c) => [c.cid, { chunk: { cid: c.cid, size: c.size } }])),
  } as unknown as ReplayState;
  const apply = (events: readonly DAEventInput[]) => {
    for (const e of events) {
      if (e.type !== "chunkDeclared") throw new Error(`unexpected event ${e.type}`);
      const v = e.value as { cid: string; placement: Uint8Array[] };
      recs.get(v.cid)!.placement = v.placement.map((p) => toHex(p));
    }
  };
  const placedBytes = (id: string) =>
    [...recs.values()].reduce((a, c) => a + (c.placement.includes(id) ? c.size : 0n), 0n);
  const placedOn = (id: string) =>
    new Set([...recs.values()].filter((c) => c.placement.includes(id)).map((c) => c.cid));
  return { state, apply, placedBytes, placedOn };
}

function setup(n: number, chunks: number) {
  const nodes = Array.from({ length: n }, (_, i) => node(i));
  const list = Array.from({ length: chunks }, (_, i) => {
    const cid = `bafkrei${createHash("sha256").update(`chunk${i}`).digest("hex").slice(0, 52)}`;
    const p = placeChunk({ cid, nodes, replicationFactor: 2, uploader: "uploader" });
    return { cid, size: MiB, placement: p.nodes.map((x) => x.nodeId) };
  });
  const f = fakeState(list);
  const r = new Rebalancer(() => f.state);
  return { nodes, r, ...f };
}

/** Runs rounds until the walk is over; returns the events of each round. */
function drain(r: Rebalancer, candidates: PlacementNode[], apply: (e: DAEventInput[]) => void, maxMoves: number) {
  const rounds: DAEventInput[][] = [];
  while (r.stats.pending > 0) {
    const ev = r.plan({ candidates, chainHeight: 9n, maxMoves, maxExamine: 10_000 });
    apply(ev);
    rounds.push(ev);
    if (rounds.length > 10_000) throw new Error("walk does not end");
  }
  return rounds;
}

describe("Rebalancer: declared capacity changes", () => {
  it("a node whose capacity drops below what is placed on it sheds the excess by rate-limited moves, each a ChunkDeclared", () => {
    const { nodes, r, apply, placedBytes, placedOn } = setup(6, 600);
    expect(r.observe(nodes)).toEqual([]); // first sight: nothing changed
    expect(r.stats.pending).toBe(0);
    const x = nodes[0]!;
    const before = placedBytes(x.nodeId);
    const heldBefore = placedOn(x.nodeId);
    expect(before).toBeGreaterThan(0n);
    const cap = before / 3n; // the node now declares a third of what it holds
    const shrunk = nodes.map((n) => (n === x ? { ...n, capacityBytes: cap } : n));
    expect(r.observe(shrunk)).toEqual([x.nodeId]);
    expect(r.stats.pending).toBe(600);
    const maxMoves = 7;
    const rounds = drain(r, shrunk, apply, maxMoves);
    // Rate limit: never more than maxMoves per round; every move a ChunkDeclared with a full placement.
    for (const ev of rounds) expect(ev.length).toBeLessThanOrEqual(maxMoves);
    const events = rounds.flat();
    expect(events.every((e) => e.type === "chunkDeclared")).toBe(true);
    expect(events.every((e) => (e.value as { placement: Uint8Array[] }).placement.length === 2)).toBe(true);
    // The excess left: the node holds at most its new capacity, and only chunks it already held.
    expect(placedBytes(x.nodeId)).toBeLessThanOrEqual(cap);
    const heldAfter = placedOn(x.nodeId);
    for (const c of heldAfter) expect(heldBefore.has(c)).toBe(true);
    // At least the bytes over capacity moved (1 MiB chunks), and nothing needless: every move took the chunk off x.
    expect(BigInt(events.length) * MiB).toBeGreaterThanOrEqual(before - cap);
    const movedOff = events.filter(
      (e) => !(e.value as { placement: Uint8Array[] }).placement.some((p) => toHex(p) === x.nodeId),
    ).length;
    expect(movedOff).toBe(heldBefore.size - heldAfter.size);
    // No other node overfilled; zones stay distinct.
    for (const n of shrunk) expect(placedBytes(n.nodeId)).toBeLessThanOrEqual(n.capacityBytes);
    // Nothing changes on a round with the same capacities.
    expect(r.observe(shrunk)).toEqual([]);
    expect(r.stats.pending).toBe(0);
  });

  it("a capacity rise pulls a rendezvous share back, never onto a node it would overfill", () => {
    const { nodes, r, apply, placedBytes } = setup(6, 600);
    r.observe(nodes);
    const x = nodes[1]!;
    const y = nodes[2]!;
    // y is nearly full: it may keep what it has but take nothing more.
    const yFull = { ...y, capacityBytes: placedBytes(y.nodeId) };
    const grown = nodes.map((n) => (n === x ? { ...n, capacityBytes: 4n << 40n } : n === y ? yFull : n));
    const before = placedBytes(x.nodeId);
    const yBefore = placedBytes(y.nodeId);
    expect(r.observe(grown).sort()).toEqual([x.nodeId, y.nodeId].sort());
    drain(r, grown, apply, 16);
    // x's weight went 1 → 4 (of 6 → 9 in its zone pair): it wins more chunks; y did not grow.
    expect(placedBytes(x.nodeId)).toBeGreaterThan(before);
    expect(placedBytes(y.nodeId)).toBeLessThanOrEqual(yBefore);
  });
});
