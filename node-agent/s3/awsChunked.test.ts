import { createHash, randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decodeAwsChunked } from "./awsChunked.js";
import type { S3Error } from "./errors.js";

const crc = (b: Buffer) => {
  const o = Buffer.alloc(4);
  o.writeUInt32BE(crc32(b) >>> 0);
  return o.toString("base64");
};
/** An aws-chunked body as the AWS SDK frames it: sized chunks, a 0 chunk, the trailer, an empty line. */
const frame = (data: Buffer, chunk: number, trailer: string) => {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunk) {
    const c = data.subarray(i, i + chunk);
    parts.push(Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from("\r\n"));
  }
  parts.push(Buffer.from(`0\r\n${trailer}\r\n\r\n`));
  return Buffer.concat(parts);
};
/** Feeds `body` in pieces of `piece` bytes (frames split anywhere, as TCP does). */
async function* pieces(body: Buffer, piece: number) {
  for (let i = 0; i < body.length; i += piece) yield body.subarray(i, i + piece);
}
async function decode(body: Buffer, decodedLength: number, trailer = "x-amz-checksum-crc32", piece = 7) {
  const out: Buffer[] = [];
  for await (const c of decodeAwsChunked(pieces(body, piece), { trailer, decodedLength })) out.push(c);
  return Buffer.concat(out);
}
const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return (e as S3Error).code;
  }
  return "accepted";
};

describe("aws-chunked bodies (STREAMING-UNSIGNED-PAYLOAD-TRAILER)", () => {
  const data = randomBytes(70_001);
  it("decodes a body split anywhere, checking the crc32 or sha256 trailer", async () => {
    for (const piece of [1, 7, 4096, 1 << 20])
      expect(
        (await decode(frame(data, 65536, `x-amz-checksum-crc32:${crc(data)}`), data.length, undefined, piece)).equals(
          data,
        ),
      ).toBe(true);
    const sha = createHash("sha256").update(data).digest("base64");
    expect(
      (
        await decode(frame(data, 8192, `x-amz-checksum-sha256:${sha}`), data.length, "x-amz-checksum-sha256", 999)
      ).equals(data),
    ).toBe(true);
    expect((await decode(frame(Buffer.alloc(0), 1, `x-amz-checksum-crc32:${crc(Buffer.alloc(0))}`), 0)).length).toBe(0);
  });

  it("refuses what an attacker or a broken client can send", async () => {
    const good = `x-amz-checksum-crc32:${crc(data)}`;
    const flipped = Buffer.from(data);
    flipped[1000]! ^= 1;
    const cases: [string, Promise<unknown>, string][] = [
      ["body altered, trailer kept", decode(frame(flipped, 65536, good), data.length), "BadDigest"],
      ["trailer altered", decode(frame(data, 65536, `x-amz-checksum-crc32:${crc(flipped)}`), data.length), "BadDigest"],
      ["no checksum in the trailer", decode(frame(data, 65536, "x-other:1"), data.length), "InvalidRequest"],
      ["longer than the signed decoded length", decode(frame(data, 65536, good), data.length - 1), "InvalidRequest"],
      ["shorter than the signed decoded length", decode(frame(data, 65536, good), data.length + 1), "IncompleteBody"],
      ["cut off", decode(frame(data, 65536, good).subarray(0, 40_000), data.length), "IncompleteBody"],
      ["size line not hex", decode(Buffer.from("zz\r\nabc"), 3), "InvalidRequest"],
      ["endless size line", decode(Buffer.alloc(5000, 0x31), 3), "InvalidRequest"],
      ["data not followed by CRLF", decode(Buffer.from("3\r\nabcX\r\n0\r\n\r\n"), 3), "InvalidRequest"],
      ["a trailer that never ends", decode(Buffer.from(`0\r\n${"a:b\r\n".repeat(10)}`), 0), "InvalidRequest"],
      [
        "an unsupported trailer checksum",
        decode(frame(data, 65536, good), data.length, "x-amz-checksum-crc32c"),
        "NotImplemented",
      ],
    ];
    for (const [what, p, code] of cases) expect(await refusal(p), what).toBe(code);
  });
});
