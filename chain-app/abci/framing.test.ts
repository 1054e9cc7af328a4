/** @module Framing vectors and streaming-decoder behaviour (split reads, batched reads, oversize refusal). */

import { Request } from "cosmjs-types/tendermint/abci/types";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../common/errors.js";
import { fromHex, toHex } from "../../common/hash.js";
import { encodeFrame, encodeUvarint, FrameDecoder, FrameError } from "./framing.js";

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Deterministic xorshift so failures reproduce. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

function expectFrameError(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FrameError);
    expect((error as FrameError).code).toBe(code);
    return;
  }
  throw new Error("expected a FrameError");
}

describe("ABCI framing vectors (CometBFT v0.38, unsigned uvarint)", () => {
  it("Request{echo:'hello'} frames as 09 0a070a0568656c6c6f", () => {
    const body = Request.encode(Request.fromPartial({ echo: { message: "hello" } })).finish();
    expect(toHex(encodeFrame(body))).toBe("090a070a0568656c6c6f");
  });

  it("a 300-byte body has prefix ac02", () => {
    const frame = encodeFrame(new Uint8Array(300).fill(7));
    expect(toHex(frame.subarray(0, 2))).toBe("ac02");
    expect(frame.length).toBe(302);
  });

  it("uvarint vectors (protobuf encoding spec)", () => {
    const vectors: [number, string][] = [
      [0, "00"],
      [1, "01"],
      [127, "7f"],
      [128, "8001"],
      [150, "9601"],
      [300, "ac02"],
      [16_383, "ff7f"],
      [16_384, "808001"],
      [2 ** 32, "8080808010"],
      [Number.MAX_SAFE_INTEGER, "ffffffffffffff0f"],
    ];
    for (const [value, hex] of vectors) expect(toHex(encodeUvarint(value)), String(value)).toBe(hex);
    expect(() => encodeUvarint(-1)).toThrow(FrameError);
    expect(() => encodeUvarint(1.5)).toThrow(FrameError);
  });
});

describe("FrameDecoder", () => {
  const hello = fromHex("090a070a0568656c6c6f");

  it("decodes the echo vector back to the request", () => {
    const [body, ...rest] = new FrameDecoder().push(hello);
    expect(rest).toEqual([]);
    expect(Request.decode(body!).echo?.message).toBe("hello");
  });

  it("handles byte-at-a-time delivery, including a split multi-byte prefix", () => {
    const big = new Uint8Array(300).map((_, i) => i & 0xff);
    const stream = concat([hello, encodeFrame(big), hello]);
    const decoder = new FrameDecoder();
    const bodies: Uint8Array[] = [];
    for (const byte of stream) bodies.push(...decoder.push(Uint8Array.of(byte)));
    expect(bodies.length).toBe(3);
    expect(toHex(bodies[0]!)).toBe("0a070a0568656c6c6f");
    expect(bodies[1]).toEqual(big);
    expect(toHex(bodies[2]!)).toBe("0a070a0568656c6c6f");
    expect(decoder.bufferedBytes).toBe(0);
  });

  it("returns every message of a chunk that holds many, and keeps a trailing partial one", () => {
    const frames = Array.from({ length: 50 }, (_, i) => encodeFrame(new Uint8Array(i).fill(i)));
    const partial = encodeFrame(new Uint8Array(10).fill(9));
    const decoder = new FrameDecoder();
    const bodies = decoder.push(concat([...frames, partial.subarray(0, 4)]));
    expect(bodies.length).toBe(50);
    expect(bodies).toEqual(Array.from({ length: 50 }, (_, i) => new Uint8Array(i).fill(i)));
    expect(decoder.bufferedBytes).toBe(3);
    expect(decoder.push(partial.subarray(4))).toEqual([new Uint8Array(10).fill(9)]);
  });

  it("reassembles random frames under random chunking", () => {
    const rand = prng(20_260_101);
    const bodies = Array.from({ length: 200 }, () => {
      const len = rand() < 0.1 ? Math.floor(rand() * 70_000) : Math.floor(rand() * 200);
      return new Uint8Array(len).map(() => Math.floor(rand() * 256));
    });
    const stream = concat(bodies.map(encodeFrame));
    const decoder = new FrameDecoder();
    const out: Uint8Array[] = [];
    for (let at = 0; at < stream.length; ) {
      const n = 1 + Math.floor(rand() * 5000);
      out.push(...decoder.push(stream.subarray(at, at + n)));
      at += n;
    }
    expect(out.length).toBe(bodies.length);
    // Compare as hex: deep equality over ~1.5 MB of typed arrays is needlessly slow.
    expect(out.map(toHex)).toEqual(bodies.map(toHex));
  });

  it("returns copies that later reads cannot overwrite", () => {
    const chunk = new Uint8Array(encodeFrame(Uint8Array.of(1, 2, 3)));
    const [body] = new FrameDecoder().push(chunk);
    chunk.fill(0);
    expect(body).toEqual(Uint8Array.of(1, 2, 3));
  });

  it("accepts a zero-length frame", () => {
    expect(new FrameDecoder().push(Uint8Array.of(0, 0))).toEqual([new Uint8Array(0), new Uint8Array(0)]);
  });

  it("refuses an oversize length as soon as the prefix is read, before any body arrives", () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 1000 });
    expect(decoder.push(encodeFrame(new Uint8Array(1000)))).toHaveLength(1);
    expectFrameError(() => decoder.push(encodeUvarint(1001)), ErrorCode.TooLarge);
    // The stream lost sync: the decoder stays failed even for valid input.
    expectFrameError(() => decoder.push(hello), ErrorCode.TooLarge);
  });

  it("refuses an absurd length with the default (100 MiB) limit", () => {
    expectFrameError(() => new FrameDecoder().push(fromHex("ffffffffffffffff7f")), ErrorCode.TooLarge);
    expectFrameError(() => new FrameDecoder().push(encodeUvarint(104_857_601)), ErrorCode.TooLarge);
    // The limit itself is allowed (only the prefix is fed; the body would follow).
    expect(new FrameDecoder().push(encodeUvarint(104_857_600))).toEqual([]);
  });

  it("refuses a prefix longer than 10 bytes", () => {
    expectFrameError(() => new FrameDecoder().push(fromHex("8080808080808080808000")), ErrorCode.Decode);
  });
});
