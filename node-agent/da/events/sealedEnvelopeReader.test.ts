import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventEnvelope } from "../../../proto/gen/dsdn/da/v1/events.js";
import { type EnvelopeError, encodeUnsignedEnvelope, openSealedEnvelope } from "./envelope.js";
import { eventOfEnvelope } from "./event.js";
import { SEALED_ENVELOPE_VERSION } from "./format.js";
import { SampleSigner, sampleNetwork, sampleWorkload } from "./sampleWorkload.js";
import { readSealedEnvelope } from "./sealedEnvelopeReader.js";

/** What the generated decoder makes of the bytes (the definition the fast reader must match), or its error. */
function generated(bytes: Uint8Array) {
  try {
    const env = EventEnvelope.decode(bytes);
    return { publisher: env.publisher, sequence: env.sequence, observedHeight: env.observedHeight, env };
  } catch (e) {
    return e as Error;
  }
}

/** A realistic mix: registrations, status changes, declarations (with signed declarations), replicas, heals, deletes. */
const net = sampleNetwork(6, 3, "reader");
const signer = new SampleSigner(net);
const samples = [...sampleWorkload(net, { files: 3, chunksPerFile: 5, healEvery: 4, deleteEvery: 2 })].map(
  (s, i) => signer.sign(s, BigInt(i), SEALED_ENVELOPE_VERSION).envelope,
);

/** The reader's answer must be undefined or exactly the generated decoder's (same fields, same event). */
function agrees(bytes: Uint8Array): void {
  const fast = readSealedEnvelope(bytes);
  if (!fast) return;
  const g = generated(bytes);
  expect(g).not.toBeInstanceOf(Error);
  const { env, ...fields } = g as Exclude<typeof g, Error>;
  expect(env.version).toBe(SEALED_ENVELOPE_VERSION);
  expect(env.signature.length).toBe(0);
  expect(fast).toEqual({ ...fields, event: eventOfEnvelope(env) });
}

/** openSealedEnvelope's outcome (opened fields, or the rejection reason): the same with or without the fast path. */
function outcome(bytes: Uint8Array) {
  try {
    const o = openSealedEnvelope(bytes);
    return { publisherHex: o.publisherHex, sequence: o.sequence, observedHeight: o.observedHeight, event: o.event };
  } catch (e) {
    return (e as EnvelopeError).reason;
  }
}

describe("hand-written sealed envelope reader", () => {
  it("reads the hot events of a realistic log exactly as the generated decoder does", () => {
    let fast = 0;
    for (const b of samples) {
      agrees(b);
      if (readSealedEnvelope(b)) fast++;
    }
    // ChunkDeclared and ReplicaAdded (most of the log) take the fast path; the rest fall back.
    expect(fast).toBeGreaterThan(samples.length / 2);
    expect(fast).toBeLessThan(samples.length);
  });

  it("agrees with the generated decoder on mutated bytes (attack: truncated fields, oversized lengths, unknown wire types, flipped bits)", () => {
    fc.assert(
      fc.property(
        fc.nat(samples.length - 1),
        fc.array(
          fc.record({
            op: fc.constantFrom("flip", "truncate", "insert", "set", "duplicate"),
            at: fc.nat(),
            byte: fc.integer({ min: 0, max: 255 }),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        (i, edits) => {
          let b = Uint8Array.from(samples[i]!);
          for (const e of edits) {
            const at = e.at % (b.length + 1);
            if (e.op === "flip" && at < b.length) b[at]! ^= 1 << (e.byte % 8);
            else if (e.op === "set" && at < b.length) b[at] = e.byte;
            else if (e.op === "truncate") b = b.subarray(0, at);
            else if (e.op === "insert") b = Uint8Array.from([...b.subarray(0, at), e.byte, ...b.subarray(at)]);
            else if (e.op === "duplicate") b = Uint8Array.from([...b, ...b.subarray(at, Math.min(b.length, at + 40))]);
          }
          agrees(b);
          // And the public entry point says the same as the generated path would: fields, or the reason.
          const viaFast = outcome(b);
          if (readSealedEnvelope(b) === undefined) return;
          const g = generated(b) as Exclude<ReturnType<typeof generated>, Error>;
          expect(viaFast).toEqual({
            publisherHex: g.publisher.toString("hex"),
            sequence: g.sequence,
            observedHeight: g.observedHeight,
            event: eventOfEnvelope(g.env),
          });
        },
      ),
      { numRuns: 4000 },
    );
  });

  it("leaves to the generated decoder what it does not cover: non-ASCII text, big varints, two payloads, unknown fields", () => {
    const base = samples.find((b) => readSealedEnvelope(b)?.event.type === "replicaAdded")!;
    const env = EventEnvelope.decode(base);
    const variants: Uint8Array[] = [
      EventEnvelope.encode({ ...env, replicaAdded: { ...env.replicaAdded!, cid: "bafkré" } }).finish(),
      EventEnvelope.encode({ ...env, observedHeight: 1n << 60n }).finish(),
      EventEnvelope.encode({
        ...env,
        chunkDeclared: EventEnvelope.decode(samples.find((b) => readSealedEnvelope(b)?.event.type === "chunkDeclared")!)
          .chunkDeclared,
      }).finish(),
      Uint8Array.from([...base, 0xf8, 0x01, 0x00]), // unknown varint field 31
      Uint8Array.from([...base, 0x0b]), // field 1 as a start-group
    ];
    for (const v of variants) {
      expect(readSealedEnvelope(v)).toBeUndefined();
      agrees(v);
    }
    // Two payloads are refused as before (by the generated path); a payload-less envelope too.
    expect(outcome(variants[2]!)).toBe("malformed");
    expect(
      outcome(
        encodeUnsignedEnvelope(
          {
            publisher: env.publisher,
            sequence: 1n,
            observedHeight: 0n,
            event: { type: "replicaAdded", value: env.replicaAdded! },
          },
          1,
        ),
      ),
    ).toBe("unsupported-version");
  });

  it("copies the envelope once: the opened event does not change when the blob buffer is reused", () => {
    const b = Uint8Array.from(samples.find((x) => readSealedEnvelope(x)?.event.type === "chunkDeclared")!);
    const o = openSealedEnvelope(b);
    const before = JSON.stringify(o.event, (_k, v) => (typeof v === "bigint" ? `${v}` : v));
    b.fill(0);
    expect(JSON.stringify(o.event, (_k, v) => (typeof v === "bigint" ? `${v}` : v))).toBe(before);
  });
});
