/** @module Decodes S3 `aws-chunked` bodies with an unsigned payload and a checksum trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER, what the AWS SDK sends for streams). */
import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { S3Error } from "./errors.js";

export const STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

/** Trailer checksums this gateway can check (S3 also knows crc32c and crc64nvme: refused before any byte is read). */
const ALGORITHMS = {
  "x-amz-checksum-crc32": () => {
    let c = 0;
    return {
      update: (b: Buffer) => {
        c = crc32(b, c);
      },
      digest: () => {
        const out = Buffer.alloc(4);
        out.writeUInt32BE(c >>> 0);
        return out.toString("base64");
      },
    };
  },
  "x-amz-checksum-sha256": () => {
    const h = createHash("sha256");
    return { update: (b: Buffer) => void h.update(b), digest: () => h.digest("base64") };
  },
  "x-amz-checksum-sha1": () => {
    const h = createHash("sha1");
    return { update: (b: Buffer) => void h.update(b), digest: () => h.digest("base64") };
  },
} as const;

/** Longest chunk-size line or trailer line accepted (a hex size, optional extensions; one checksum header). */
const MAX_LINE = 1024;
const MAX_TRAILER_LINES = 4;

export interface AwsChunkedOptions {
  /** The trailer named in the signed `x-amz-trailer` header. */
  readonly trailer: string;
  /** `x-amz-decoded-content-length` (signed): the payload must be exactly this long. */
  readonly decodedLength: number;
}

/** Checks the request's declared trailer before any byte is read. */
export function checkTrailerName(trailer: string | undefined): keyof typeof ALGORITHMS {
  if (!trailer) throw new S3Error("InvalidRequest", "x-amz-trailer is required with a streaming trailer payload");
  if (!(trailer in ALGORITHMS))
    throw new S3Error(
      "NotImplemented",
      `trailer checksum "${trailer.slice(0, 40)}" is not supported (crc32, sha1, sha256)`,
    );
  return trailer as keyof typeof ALGORITHMS;
}

/**
 * Yields the payload of an aws-chunked body (`hex-size\r\n data \r\n … 0\r\n trailer\r\n\r\n`), every line
 * bounded; the payload must be exactly `decodedLength` bytes and the trailer must carry the declared checksum,
 * which must match — otherwise an S3Error (IncompleteBody, InvalidRequest, BadDigest) ends the stream.
 */
export async function* decodeAwsChunked(src: AsyncIterable<Buffer>, o: AwsChunkedOptions): AsyncGenerator<Buffer> {
  const name = checkTrailerName(o.trailer);
  const sum = ALGORITHMS[name]();
  let buf: Buffer = Buffer.alloc(0);
  let total = 0;
  const it = src[Symbol.asyncIterator]();
  const more = async () => {
    const n = await it.next();
    if (n.done) throw new S3Error("IncompleteBody", "the aws-chunked body ended early");
    buf = buf.length ? Buffer.concat([buf, n.value]) : n.value;
  };
  const line = async (): Promise<string> => {
    for (;;) {
      const i = buf.indexOf("\r\n");
      if (i >= 0) {
        if (i > MAX_LINE) break;
        const l = buf.subarray(0, i).toString("latin1");
        buf = buf.subarray(i + 2);
        return l;
      }
      if (buf.length > MAX_LINE) break;
      await more();
    }
    throw new S3Error("InvalidRequest", "an aws-chunked line is too long");
  };
  for (;;) {
    const sizeLine = await line();
    const m = /^([0-9a-fA-F]{1,12})(;.*)?$/.exec(sizeLine);
    if (!m) throw new S3Error("InvalidRequest", "malformed aws-chunked chunk size");
    let size = Number.parseInt(m[1]!, 16);
    if (size === 0) break;
    if (total + size > o.decodedLength)
      throw new S3Error("InvalidRequest", "the aws-chunked body is longer than x-amz-decoded-content-length");
    total += size;
    while (size > 0) {
      if (buf.length === 0) await more();
      const piece = buf.subarray(0, Math.min(size, buf.length));
      buf = buf.subarray(piece.length);
      size -= piece.length;
      sum.update(piece);
      yield piece;
    }
    if ((await line()) !== "") throw new S3Error("InvalidRequest", "an aws-chunked chunk is not followed by CRLF");
  }
  if (total !== o.decodedLength)
    throw new S3Error("IncompleteBody", "the aws-chunked body is shorter than x-amz-decoded-content-length");
  let given: string | undefined;
  for (let i = 0; ; i++) {
    if (i > MAX_TRAILER_LINES) throw new S3Error("InvalidRequest", "too many aws-chunked trailer lines");
    const l = await line();
    if (l === "") break;
    const colon = l.indexOf(":");
    if (colon > 0 && l.slice(0, colon).trim().toLowerCase() === name) given = l.slice(colon + 1).trim();
  }
  if (given === undefined) throw new S3Error("InvalidRequest", `the body's trailer carries no ${name}`);
  if (given !== sum.digest()) throw new S3Error("BadDigest", `the ${name} trailer does not match the body`);
}
