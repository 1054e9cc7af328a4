/** Background nonce refills racing signings: the pool never hands a nonce pair out twice (in memory, on disk, after a
 * restart), a spend resolves only once its removal is on disk, and small low-water refills keep a coordinator's
 * pools from running dry under a stream of signings (every signing one round, no commitment used twice). */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Nonces } from "@noble/curves/abstract/frost.js";
import { ed25519_FROST } from "@noble/curves/ed25519.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ed25519Verify } from "../../../common/ed25519.js";
import type { FrostGroupInfo } from "../../../common/frost/group.js";
import { toHex } from "../../../common/hash.js";
import { decodeMessage } from "../../../common/protobuf.js";
import { SignPackage } from "../../../proto/gen/dsdn/committee/v1/frost.js";
import { FrostCoordinator } from "./coordinator.js";
import { createLocalCommittee, type LocalCommittee, logCalls } from "./localCommittee.js";
import { NoncePool, type PooledNonce } from "./noncePool.js";
import type { FrostRpc } from "./rpc.js";

const enc = new TextEncoder();
const deal = ed25519_FROST.trustedDealer({ min: 2, max: 3 });
const secret = Object.values(deal.secretShares)[0]!;
const groupKey = deal.public.commitments[0]!;
const keyOf = (c: PooledNonce) => toHex(c.hiding) + toHex(c.binding);

/** The (hiding ‖ binding) keys the pool file on disk holds right now. */
function onDisk(dir: string): Set<string> {
  try {
    const file = JSON.parse(readFileSync(join(dir, `nonces-${toHex(groupKey)}.json`), "utf8")) as {
      entries: { hiding: string; binding: string }[];
    };
    return new Set(file.entries.map((e) => e.hiding + e.binding));
  } catch {
    return new Set();
  }
}

type Op = { kind: "make"; count: number; wait: number } | { kind: "spend"; pick: number; wait: number };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("make" as const), count: fc.integer({ min: 1, max: 6 }), wait: fc.nat(4) }),
  fc.record({ kind: fc.constant("spend" as const), pick: fc.nat(40), wait: fc.nat(4) }),
);

describe("NoncePool under refills racing spends", () => {
  it("never hands a pair out twice, and a spend resolves only once its removal is on disk (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0, 2, 20),
        fc.integer({ min: 1, max: 6 }),
        fc.array(opArb, { minLength: 2, maxLength: 14 }),
        async (rideMs, first, ops) => {
          const dir = mkdtempSync(join(tmpdir(), "dsdn-nonces-"));
          try {
            const pool = new NoncePool(dir, { rideMs });
            const known: PooledNonce[] = await pool.make(groupKey, secret, first);
            const handedOut = new Map<string, number>();
            const nonceSeen = new Set<string>();
            const errors: string[] = [];
            const attempted = new Set<string>();
            const spend = async (c: PooledNonce) => {
              attempted.add(keyOf(c));
              // Some spends are asked for twice at once, as a replayed package would.
              const tries = [
                pool.spend(groupKey, secret, c.hiding, c.binding),
                pool.spend(groupKey, secret, c.hiding, c.binding),
              ];
              for (const t of tries) {
                const nonces: Nonces | undefined = await t;
                if (!nonces) continue;
                if (onDisk(dir).has(keyOf(c)))
                  errors.push(`spend of ${keyOf(c).slice(0, 8)} resolved before it left the file`);
                handedOut.set(keyOf(c), (handedOut.get(keyOf(c)) ?? 0) + 1);
                const n = toHex(nonces.hiding) + toHex(nonces.binding);
                if (nonceSeen.has(n)) errors.push("the same secret nonces handed out twice");
                nonceSeen.add(n);
              }
            };
            await Promise.all(
              ops.map(async (op) => {
                for (let i = 0; i < op.wait; i++) await nextTurn();
                if (op.kind === "make") {
                  const made = await pool.make(groupKey, secret, op.count);
                  // Saved before the commitments leave: each is on disk unless a spend has taken it since.
                  const disk = onDisk(dir);
                  for (const c of made)
                    if (!disk.has(keyOf(c)) && !attempted.has(keyOf(c))) errors.push("made, not saved");
                  known.push(...made);
                } else await spend(known[op.pick % known.length]!);
              }),
            );
            expect(errors).toEqual([]);
            for (const [k, times] of handedOut) expect(times, k).toBe(1);
            // After a restart (a fresh pool over the same file) none of the spent pairs comes back; the rest still can.
            const again = new NoncePool(dir);
            for (const c of known) {
              const p = again.spend(groupKey, secret, c.hiding, c.binding);
              if (handedOut.has(keyOf(c))) expect(p).toBeUndefined();
              else expect(await p).toBeDefined();
            }
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 30 },
    );
  }, 120_000);
});

describe("low-water refills keep one-round signing going", () => {
  let c: LocalCommittee;
  let group: FrostGroupInfo;
  let calls: FrostRpc[] = [];
  const packages: SignPackage[] = [];

  beforeAll(async () => {
    c = createLocalCommittee(4);
    const members = c.identities.map((k) => k.publicKey);
    group = (await c.coordinator(1).runDkg({ epoch: 9n, threshold: 3, members })).group;
    calls = logCalls(c);
    const inner = c.transport.call.bind(c.transport);
    c.transport.call = (peer, rpc, body, timeout) => {
      if (rpc === "sign/share") packages.push(decodeMessage(SignPackage, body, "SignPackage"));
      return inner(peer, rpc, body, timeout);
    };
  });
  afterAll(() => c.dispose());

  /** Every (member, commitment) of every package sent: none may appear in two packages. */
  function usedTwice(): string[] {
    const seen = new Map<string, string>();
    const dup: string[] = [];
    for (const p of packages) {
      const session = toHex(p.request!.sessionId);
      for (const cm of p.commitments) {
        const k = `${cm.participantIndex}:${toHex(cm.hiding)}${toHex(cm.binding)}`;
        const prev = seen.get(k);
        if (prev !== undefined && prev !== session) dup.push(k);
        seen.set(k, session);
      }
    }
    return dup;
  }

  it("60 signings in a row over pools of 12 refilled 4 at a time: all one round, the pools never empty", async () => {
    const co = new FrostCoordinator({
      identity: c.identities[0]!,
      transport: c.transport,
      preprocess: 12,
      refillBatch: 4,
    });
    expect(await co.preprocess(group)).toEqual([12, 12, 12, 12]);
    calls.length = 0;
    packages.length = 0;
    for (let i = 0; i < 60; i++) {
      const message = enc.encode(`receipt ${i}`);
      const out = await co.sign({ group, message });
      expect(ed25519Verify(out.signature, message, group.groupPublicKey)).toBe(true);
    }
    expect(calls.filter((r) => r === "sign/commit")).toEqual([]); // never fell back to two rounds
    expect(calls.filter((r) => r === "sign/share")).toHaveLength(60 * 3);
    // 60 × 3 pairs spent against 4 × 12 pooled at the start: background refills of 4 pairs made up the rest.
    expect(calls.filter((r) => r === "sign/preprocess").length * 4).toBeGreaterThanOrEqual(60 * 3 - 4 * 12);
    expect(usedTwice()).toEqual([]);
    // The fullest pools sign first: all four members took turns.
    const signers = new Set(packages.flatMap((p) => p.commitments.map((cm) => cm.participantIndex)));
    expect([...signers].sort()).toEqual([1, 2, 3, 4]);
  }, 120_000);

  it("signings racing each other and the refills never reuse a commitment", async () => {
    const co = new FrostCoordinator({
      identity: c.identities[1]!,
      transport: c.transport,
      preprocess: 6,
      refillBatch: 2,
    });
    await co.preprocess(group);
    packages.length = 0;
    for (let wave = 0; wave < 6; wave++) {
      const outs = await Promise.all(
        [0, 1, 2].map((k) => co.sign({ group, message: enc.encode(`wave ${wave} receipt ${k}`) })),
      );
      for (const [k, out] of outs.entries()) {
        expect(ed25519Verify(out.signature, enc.encode(`wave ${wave} receipt ${k}`), group.groupPublicKey)).toBe(true);
      }
    }
    expect(packages.length).toBeGreaterThanOrEqual(18);
    expect(usedTwice()).toEqual([]);
  }, 120_000);
});
