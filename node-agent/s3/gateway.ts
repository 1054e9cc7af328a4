/** @module The S3-compatible gateway: path-style S3 REST over DSDN files, SigV4-authenticated, its index on DA. */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, rm, stat } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { XMLParser } from "fast-xml-parser";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { closeKeptAliveOnClose, type ServiceTimeouts, serverTimeouts } from "../http/serviceLimits.js";
import { parseRange } from "../storage/range.js";
import { deriveSecret } from "./accessKeys.js";
import { checkTrailerName, decodeAwsChunked, STREAMING_UNSIGNED_TRAILER } from "./awsChunked.js";
import { errorXml, S3Error, xmlDocument } from "./errors.js";
import type { S3Ledger } from "./ledger.js";
import type { ObjectStore } from "./objectStore.js";
import { BUCKET_RE, openRecord, type RecordSigner, type S3Record, signRecord, validObjectKey } from "./records.js";
import { type Bucket, lowerBound, type ObjectEntry } from "./s3Index.js";
import { verifySigV4 } from "./sigv4.js";

export interface S3Limits {
  /** Largest PutObject / UploadPart body. */
  readonly maxPartBytes: number;
  /** Largest completed multipart object. */
  readonly maxObjectBytes: number;
  readonly maxParts: number;
  /** Multipart uploads open at once on this gateway. */
  readonly maxOpenUploads: number;
}

export const DEFAULT_S3_LIMITS: S3Limits = {
  maxPartBytes: 1024 * 1024 * 1024,
  maxObjectBytes: 64 * 1024 * 1024 * 1024,
  maxParts: 10_000,
  maxOpenUploads: 256,
};
/** S3's minimum size of every part but the last. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_LIST_KEYS = 1000;

export interface S3GatewayOptions {
  readonly ledger: S3Ledger;
  readonly store: ObjectStore;
  /** The gateway's chain account: signs bucket/object records (and owns the pins). */
  readonly account: RecordSigner & { readonly address: string };
  /** Derives access-key secrets (see accessKeys.ts). */
  readonly masterKey: Uint8Array;
  /** Spool directory for bodies and parts. */
  readonly dataDir: string;
  readonly region?: string;
  readonly limits?: Partial<S3Limits>;
  readonly timeouts?: ServiceTimeouts;
  readonly log?: (line: string) => void;
  readonly now?: () => number;
}

interface Part {
  readonly path: string;
  readonly etag: string;
  readonly md5: Buffer;
  readonly size: number;
}

interface Upload {
  readonly id: string;
  readonly bucket: string;
  readonly key: string;
  readonly owner: string;
  readonly contentType: string;
  readonly dir: string;
  readonly parts: Map<number, Part>;
  readonly createdMs: number;
}

const xmlIn = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === "Part" });

interface Authed {
  account: string;
  payloadHash: string;
}

export function createS3Gateway(o: S3GatewayOptions): FastifyInstance {
  const region = o.region ?? "us-east-1";
  const limits = { ...DEFAULT_S3_LIMITS, ...o.limits };
  const now = o.now ?? Date.now;
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const index = o.ledger.index;
  const me = o.account.address;
  const uploads = new Map<string, Upload>();
  const auth = new WeakMap<FastifyRequest, Authed>();
  const spoolDir = join(o.dataDir, "spool");

  const app = Fastify({ logger: false, ...serverTimeouts(o.timeouts) });
  closeKeptAliveOnClose(app);
  app.removeAllContentTypeParsers();
  // Bodies are streamed by the handlers themselves (to disk, hashed, bounded), never buffered by fastify.
  app.addContentTypeParser("*", (_req, _payload, done) => done(null, undefined));

  const publish = async (record: S3Record) => o.ledger.publish(signRecord(record, o.account));

  const send = (reply: FastifyReply, status: number, root: string, body: Record<string, unknown>) =>
    reply.code(status).type("application/xml").send(xmlDocument(root, body));

  app.setErrorHandler((err, req, reply) => {
    let e: S3Error;
    if (err instanceof S3Error) e = err;
    else {
      const ref = randomBytes(8).toString("hex");
      log(`s3 ${req.method} ${req.url.slice(0, 200)} [ref ${ref}]: ${(err as Error).message}`);
      e = new S3Error("InternalError", "we encountered an internal error; please try again", { ref });
    }
    const path = (req.raw.url ?? "/").split("?")[0]!;
    reply.code(e.status).type("application/xml");
    if (req.method === "HEAD") return reply.send();
    return reply.send(errorXml(e, path.slice(0, 1100), req.id));
  });

  app.addHook("onRequest", async (req) => {
    if (req.url.startsWith("/_dsdn/")) return;
    const [rawPath, rawQuery = ""] = (req.raw.url ?? "/").split(/\?(.*)/s) as [string, string?];
    const a = await verifySigV4(
      { method: req.method, rawPath, rawQuery, headers: req.headers },
      region,
      (id) => {
        const b = index.binding(id);
        return b && b.gateway === me ? deriveSecret(o.masterKey, id) : undefined;
      },
      now(),
    );
    auth.set(req, { account: index.binding(a.accessKeyId)!.account, payloadHash: a.payloadHash });
  });

  /** Binds a new access key: the account's own ADR-036 signature over the binding; the secret is returned once. */
  app.post("/_dsdn/keys", async (req, reply) => {
    const body = await readSmall(req.raw, 16 * 1024);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      throw new S3Error("InvalidRequest", "the body must be a signed key binding (JSON)");
    }
    const opened = openRecord(parsed);
    if (opened?.record.type !== "key") throw new S3Error("AccessDenied", "not a validly signed key binding");
    const r = opened.record;
    if (r.gateway !== me) throw new S3Error("AccessDenied", `the binding names gateway ${r.gateway}, this is ${me}`);
    if (opened.signer !== r.account) throw new S3Error("AccessDenied", "a key can only be bound by its own account");
    if (Math.abs(now() - r.signedAtMs) > 5 * 60 * 1000)
      throw new S3Error("RequestTimeTooSkewed", "the binding was signed more than 5 minutes away from now");
    if (index.keys.has(r.accessKeyId)) throw new S3Error("AccessDenied", "this access key id is already bound");
    await o.ledger.publish(parsed as never);
    if (index.binding(r.accessKeyId)?.account !== r.account)
      throw new S3Error("AccessDenied", "the binding did not take effect (already bound?)");
    return reply.header("cache-control", "no-store").send({
      accessKeyId: r.accessKeyId,
      secretAccessKey: deriveSecret(o.masterKey, r.accessKeyId),
      account: r.account,
    });
  });

  app.get("/_dsdn/health", async () => ({ status: "ok", gateway: me, daHeight: o.ledger.daHeight.toString() }));

  /** The bucket, when it exists and `account` owns it (someone else's bucket is AccessDenied, as S3 says). */
  const ownBucket = (name: string, account: string): Bucket => {
    const b = index.buckets.get(name);
    if (!b) throw new S3Error("NoSuchBucket", "the specified bucket does not exist", { BucketName: name });
    if (b.owner !== account || b.gateway !== me) throw new S3Error("AccessDenied", "access denied");
    return b;
  };
  const objectOf = (b: Bucket, key: string): ObjectEntry => {
    const e = b.objects.get(key);
    if (!e) throw new S3Error("NoSuchKey", "the specified key does not exist", { Key: key });
    return e;
  };

  /** Streams the body to a spool file: bounded, sha256-checked against the signed payload hash, md5 for the ETag. */
  const spool = async (req: FastifyRequest, max: number): Promise<Part> => {
    const a = auth.get(req)!;
    // An aws-chunked body with a checksum trailer (the AWS SDK's default for streams): its signed decoded length
    // bounds it, the trailer checksum is checked as it is decoded.
    const chunked = a.payloadHash === STREAMING_UNSIGNED_TRAILER;
    const declared = chunked ? req.headers["x-amz-decoded-content-length"] : req.headers["content-length"];
    if (declared === undefined || Array.isArray(declared))
      throw new S3Error(
        "InvalidRequest",
        chunked ? "x-amz-decoded-content-length is required" : "Content-Length is required (no chunked uploads)",
      );
    const length = /^\d{1,15}$/.test(declared) ? Number(declared) : Number.NaN;
    if (!Number.isSafeInteger(length)) throw new S3Error("InvalidArgument", "bad Content-Length");
    if (length > max) throw new S3Error("EntityTooLarge", `your proposed upload exceeds the maximum of ${max} bytes`);
    const aws = String(req.headers["content-encoding"] ?? "").includes("aws-chunked");
    if (aws !== chunked)
      throw new S3Error(
        "NotImplemented",
        chunked
          ? "a streaming trailer payload must be sent with Content-Encoding: aws-chunked"
          : "aws-chunked bodies are supported only as STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      );
    const trailer = chunked ? checkTrailerName(String(req.headers["x-amz-trailer"] ?? "")) : "";
    await mkdir(spoolDir, { recursive: true });
    const path = join(spoolDir, randomBytes(12).toString("hex"));
    const sha = createHash("sha256");
    const md5 = createHash("md5");
    let size = 0;
    try {
      await pipeline(
        chunked ? decodeAwsChunked(req.raw, { trailer, decodedLength: length }) : req.raw,
        async function* (src: AsyncIterable<Buffer>) {
          for await (const c of src) {
            size += c.length;
            if (size > length) throw new S3Error("InvalidRequest", "the body is longer than Content-Length");
            sha.update(c);
            md5.update(c);
            yield c;
          }
        },
        createWriteStream(path, { mode: 0o600 }),
      );
      if (size !== length) throw new S3Error("IncompleteBody", "the body is shorter than Content-Length");
      if (/^[0-9a-f]{64}$/.test(a.payloadHash) && sha.digest("hex") !== a.payloadHash)
        throw new S3Error("BadDigest", "the body does not match the signed x-amz-content-sha256");
      const digest = md5.digest();
      const given = req.headers["content-md5"];
      if (typeof given === "string" && given !== digest.toString("base64"))
        throw new S3Error("BadDigest", "the Content-MD5 you specified did not match what we received");
      return { path, md5: digest, etag: `"${digest.toString("hex")}"`, size };
    } catch (e) {
      await rm(path, { force: true });
      throw e;
    }
  };

  /** Stores a spooled file as a DSDN file and records key → manifest on DA. */
  const commit = async (b: Bucket, key: string, path: string, size: number, etag: string, contentType: string) => {
    const stored = await o.store.put(path, b.encrypt);
    const previous = b.objects.get(key)?.manifest;
    await publish({
      type: "put",
      bucket: b.name,
      key,
      manifest: stored.manifest,
      size,
      etag,
      contentType,
      atMs: now(),
    });
    if (previous && previous !== stored.manifest) await dropIfUnused(previous);
    return stored;
  };
  const dropIfUnused = async (manifest: string) => {
    if (index.manifestRefs.has(manifest)) return;
    await o.store.unpin(manifest).catch((e) => log(`s3 unpin ${manifest}: ${(e as Error).message}`));
  };

  const route = async (req: FastifyRequest, reply: FastifyReply) => {
    const a = auth.get(req)!;
    const [rawPath = "/", rawQuery = ""] = (req.raw.url ?? "/").split(/\?(.*)/s);
    const q = new URLSearchParams(rawQuery);
    // The raw path, not a URL's: "." and ".." are ordinary characters in S3 keys, never resolved.
    const segments = rawPath.split("/");
    let bucketName: string;
    let key: string;
    try {
      bucketName = decodeURIComponent(segments[1] ?? "");
      key = segments.length > 2 ? decodeURIComponent(segments.slice(2).join("/")) : "";
    } catch {
      throw new S3Error("InvalidArgument", "the request path is not valid percent-encoding");
    }
    const m = req.method;

    if (!bucketName) {
      if (m !== "GET")
        throw new S3Error("MethodNotAllowed", "the specified method is not allowed against this resource");
      const mine = [...index.buckets.values()].filter((b) => b.owner === a.account && b.gateway === me);
      mine.sort((x, y) => (x.name < y.name ? -1 : 1));
      return send(reply, 200, "ListAllMyBucketsResult", {
        Owner: { ID: a.account, DisplayName: a.account },
        Buckets: { Bucket: mine.map((b) => ({ Name: b.name, CreationDate: new Date(b.createdMs).toISOString() })) },
      });
    }
    if (!BUCKET_RE.test(bucketName)) throw new S3Error("InvalidBucketName", "the specified bucket is not valid");

    if (!key) {
      if (m === "PUT") {
        const existing = index.buckets.get(bucketName);
        if (existing)
          throw existing.owner === a.account
            ? new S3Error("BucketAlreadyOwnedByYou", "you already own this bucket")
            : new S3Error("BucketAlreadyExists", "the requested bucket name is not available");
        // Encrypted buckets: every object is a client-side (gateway-side) encrypted DSDN file.
        const encrypt = String(req.headers["x-dsdn-encrypt"] ?? "") === "true";
        await publish({ type: "bucket", bucket: bucketName, owner: a.account, encrypt, atMs: now() });
        if (index.buckets.get(bucketName)?.owner !== a.account)
          throw new S3Error("BucketAlreadyExists", "the requested bucket name is not available");
        return reply.code(200).header("location", `/${bucketName}`).send();
      }
      const b = ownBucket(bucketName, a.account);
      if (m === "HEAD") return reply.code(200).header("x-amz-bucket-region", region).send();
      if (m === "DELETE") {
        if (b.objects.size > 0) throw new S3Error("BucketNotEmpty", "the bucket you tried to delete is not empty");
        await publish({ type: "bucketDeleted", bucket: b.name, atMs: now() });
        return reply.code(204).send();
      }
      if (m === "GET" && q.has("location"))
        return send(reply, 200, "LocationConstraint", { "#text": region === "us-east-1" ? "" : region });
      if (m === "GET") return listObjectsV2(reply, b, q);
      throw new S3Error("MethodNotAllowed", "the specified method is not allowed against this resource");
    }

    if (!validObjectKey(key)) throw new S3Error("KeyTooLongError", "your key is too long (at most 1024 bytes)");
    const b = ownBucket(bucketName, a.account);
    const uploadId = q.get("uploadId");
    if (m === "POST" && q.has("uploads")) return createUpload(reply, b, key, req);
    if (uploadId !== null) {
      const up = uploads.get(uploadId);
      if (!up || up.bucket !== b.name || up.key !== key || up.owner !== a.account)
        throw new S3Error("NoSuchUpload", "the specified multipart upload does not exist", { UploadId: uploadId });
      if (m === "PUT") return uploadPart(req, reply, up, q.get("partNumber"));
      if (m === "POST") return completeUpload(req, reply, b, up);
      if (m === "DELETE") {
        uploads.delete(up.id);
        await rm(up.dir, { recursive: true, force: true });
        return reply.code(204).send();
      }
      if (m === "GET") return listParts(reply, up);
    }
    if (m === "PUT" && req.headers["x-amz-copy-source"] !== undefined) return copyObject(req, reply, b, key, a.account);
    if (m === "PUT") {
      const part = await spool(req, limits.maxPartBytes);
      try {
        const ct = String(req.headers["content-type"] ?? "application/octet-stream").slice(0, 256);
        await commit(b, key, part.path, part.size, part.etag, ct);
      } finally {
        await rm(part.path, { force: true });
      }
      return reply.code(200).header("etag", part.etag).send();
    }
    if (m === "GET" || m === "HEAD") return getObject(req, reply, b, key);
    if (m === "DELETE") {
      const e = b.objects.get(key);
      // S3 answers 204 for a missing key too.
      if (e) {
        await publish({ type: "del", bucket: b.name, key, atMs: now() });
        await dropIfUnused(e.manifest);
      }
      return reply.code(204).send();
    }
    throw new S3Error("MethodNotAllowed", "the specified method is not allowed against this resource");
  };

  const listObjectsV2 = (reply: FastifyReply, b: Bucket, q: URLSearchParams) => {
    if (q.get("list-type") !== "2" && q.has("list-type"))
      throw new S3Error("InvalidArgument", "only ListObjectsV2 (list-type=2) is supported");
    const prefix = q.get("prefix") ?? "";
    const delimiter = q.get("delimiter") ?? "";
    const maxKeysRaw = q.get("max-keys");
    const maxKeys = maxKeysRaw === null ? MAX_LIST_KEYS : Number(maxKeysRaw);
    if (!Number.isInteger(maxKeys) || maxKeys < 0) throw new S3Error("InvalidArgument", "max-keys must be ≥ 0");
    const limit = Math.min(maxKeys, MAX_LIST_KEYS);
    const token = q.get("continuation-token");
    let after: string | undefined;
    if (token !== null) {
      after = Buffer.from(token, "base64url").toString("utf8");
      if (!validObjectKey(after)) throw new S3Error("InvalidArgument", "the continuation token is not valid");
    }
    const startAfter = q.get("start-after") ?? "";
    const from = after ?? (startAfter > prefix ? startAfter : undefined);
    let i = from !== undefined ? lowerBound(b.sorted, from, true) : lowerBound(b.sorted, prefix);
    const contents: ObjectEntry[] = [];
    const prefixes: string[] = [];
    let last: string | undefined;
    let truncated = false;
    while (i < b.sorted.length) {
      const k = b.sorted[i]!;
      if (!k.startsWith(prefix)) break;
      if (contents.length + prefixes.length >= limit) {
        truncated = true;
        break;
      }
      const cut = delimiter ? k.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) {
        const common = k.slice(0, cut + delimiter.length);
        prefixes.push(common);
        last = common;
        // Skip every key under this common prefix in one search.
        i = lowerBound(b.sorted, `${common}\u{10ffff}`);
        last = b.sorted[i - 1];
        continue;
      }
      contents.push(b.objects.get(k)!);
      last = k;
      i++;
    }
    return send(reply, 200, "ListBucketResult", {
      Name: b.name,
      Prefix: prefix,
      ...(delimiter ? { Delimiter: delimiter } : {}),
      MaxKeys: maxKeys,
      KeyCount: contents.length + prefixes.length,
      IsTruncated: truncated,
      ...(token !== null ? { ContinuationToken: token } : {}),
      ...(truncated && last !== undefined
        ? { NextContinuationToken: Buffer.from(last, "utf8").toString("base64url") }
        : {}),
      Contents: contents.map((e) => ({
        Key: e.key,
        LastModified: new Date(e.atMs).toISOString(),
        ETag: e.etag,
        Size: e.size,
        StorageClass: "STANDARD",
      })),
      CommonPrefixes: prefixes.map((p) => ({ Prefix: p })),
    });
  };

  const getObject = async (req: FastifyRequest, reply: FastifyReply, b: Bucket, key: string) => {
    const e = objectOf(b, key);
    const range = parseRange(req.headers.range, e.size);
    if (range === "unsatisfiable")
      throw new S3Error("InvalidRange", "the requested range is not satisfiable", {
        RangeRequested: String(req.headers.range),
      });
    const r = range ?? { start: 0, end: e.size - 1 };
    reply.headers({
      "content-type": e.contentType || "application/octet-stream",
      "content-length": e.size === 0 ? 0 : r.end - r.start + 1,
      etag: e.etag,
      "last-modified": new Date(e.atMs).toUTCString(),
      "accept-ranges": "bytes",
      "x-dsdn-manifest": e.manifest,
    });
    if (range) reply.code(206).header("content-range", `bytes ${r.start}-${r.end}/${e.size}`);
    if (req.method === "HEAD" || e.size === 0) return reply.send();
    await mkdir(spoolDir, { recursive: true });
    const out = join(spoolDir, `get-${randomBytes(12).toString("hex")}`);
    try {
      // Only the chunks (or stripes) overlapping the range are fetched and verified; `out` holds just the range.
      await o.store.get(e.manifest, out, r);
    } catch (err) {
      await rm(out, { force: true });
      throw err;
    }
    const s = createReadStream(out);
    s.on("close", () => void rm(out, { force: true }));
    return reply.send(s);
  };

  const copyObject = async (req: FastifyRequest, reply: FastifyReply, b: Bucket, key: string, account: string) => {
    const source = decodeURIComponent(String(req.headers["x-amz-copy-source"]).split("?")[0]!).replace(/^\//, "");
    const slash = source.indexOf("/");
    if (slash <= 0) throw new S3Error("InvalidArgument", "x-amz-copy-source must be bucket/key");
    const src = ownBucket(source.slice(0, slash), account);
    const e = objectOf(src, source.slice(slash + 1));
    if (src.encrypt === b.encrypt) {
      // Same protection: the new key names the same DSDN file (content addressing makes this a true copy).
      await publish({ ...e, type: "put", bucket: b.name, key, atMs: now() });
    } else {
      await mkdir(spoolDir, { recursive: true });
      const tmp = join(spoolDir, `copy-${randomBytes(12).toString("hex")}`);
      try {
        await o.store.get(e.manifest, tmp);
        await commit(b, key, tmp, e.size, e.etag, e.contentType);
      } finally {
        await rm(tmp, { force: true });
      }
    }
    const copied = objectOf(b, key);
    return send(reply, 200, "CopyObjectResult", {
      LastModified: new Date(copied.atMs).toISOString(),
      ETag: copied.etag,
    });
  };

  const createUpload = async (reply: FastifyReply, b: Bucket, key: string, req: FastifyRequest) => {
    if (uploads.size >= limits.maxOpenUploads)
      throw new S3Error("SlowDown", "too many multipart uploads are open on this gateway; complete or abort some");
    const id = randomBytes(16).toString("hex");
    const dir = join(o.dataDir, "uploads", id);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    uploads.set(id, {
      id,
      bucket: b.name,
      key,
      owner: auth.get(req)!.account,
      contentType: String(req.headers["content-type"] ?? "application/octet-stream").slice(0, 256),
      dir,
      parts: new Map(),
      createdMs: now(),
    });
    return send(reply, 200, "InitiateMultipartUploadResult", { Bucket: b.name, Key: key, UploadId: id });
  };

  const uploadPart = async (req: FastifyRequest, reply: FastifyReply, up: Upload, n: string | null) => {
    const partNumber = Number(n);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > limits.maxParts)
      throw new S3Error("InvalidArgument", `partNumber must be 1–${limits.maxParts}`);
    const part = await spool(req, limits.maxPartBytes);
    const old = up.parts.get(partNumber);
    if (!uploads.has(up.id)) {
      await rm(part.path, { force: true });
      throw new S3Error("NoSuchUpload", "the upload was aborted");
    }
    up.parts.set(partNumber, part);
    if (old) await rm(old.path, { force: true });
    return reply.code(200).header("etag", part.etag).send();
  };

  const listParts = (reply: FastifyReply, up: Upload) => {
    const parts = [...up.parts.entries()].sort(([x], [y]) => x - y);
    return send(reply, 200, "ListPartsResult", {
      Bucket: up.bucket,
      Key: up.key,
      UploadId: up.id,
      IsTruncated: false,
      Part: parts.map(([n, p]) => ({ PartNumber: n, ETag: p.etag, Size: p.size })),
    });
  };

  const completeUpload = async (req: FastifyRequest, reply: FastifyReply, b: Bucket, up: Upload) => {
    const body = await readSmall(req.raw, 64 + limits.maxParts * 160);
    const a = auth.get(req)!;
    if (/^[0-9a-f]{64}$/.test(a.payloadHash) && createHash("sha256").update(body).digest("hex") !== a.payloadHash)
      throw new S3Error("BadDigest", "the body does not match the signed x-amz-content-sha256");
    let listed: { PartNumber?: string; ETag?: string }[];
    try {
      listed = xmlIn.parse(body.toString("utf8"))?.CompleteMultipartUpload?.Part ?? [];
    } catch {
      throw new S3Error("MalformedXML", "the XML you provided was not well-formed");
    }
    if (listed.length === 0 || listed.length > limits.maxParts)
      throw new S3Error("MalformedXML", "CompleteMultipartUpload must list 1 to maxParts parts");
    const chosen: Part[] = [];
    let prev = 0;
    for (const p of listed) {
      const n = Number(p.PartNumber);
      if (!Number.isInteger(n) || n <= prev)
        throw new S3Error("InvalidPartOrder", "parts must be listed in ascending order");
      prev = n;
      const have = up.parts.get(n);
      const etag = String(p.ETag ?? "").replace(/^"?(.*?)"?$/, '"$1"');
      if (!have || have.etag !== etag)
        throw new S3Error("InvalidPart", `part ${n} was not uploaded or its ETag differs`);
      chosen.push(have);
    }
    for (const p of chosen.slice(0, -1))
      if (p.size < MIN_PART_BYTES)
        throw new S3Error("EntityTooSmall", "every part but the last must be at least 5 MiB");
    const size = chosen.reduce((s, p) => s + p.size, 0);
    if (size > limits.maxObjectBytes) throw new S3Error("EntityTooLarge", "the object would exceed the maximum size");
    // Parts become one file, so the object is one DSDN file (one manifest) whatever the part boundaries.
    const whole = join(up.dir, "object");
    const fh = await open(whole, "wx", 0o600);
    try {
      for (const p of chosen) for await (const c of createReadStream(p.path)) await fh.write(c as Buffer);
    } finally {
      await fh.close();
    }
    if ((await stat(whole)).size !== size) throw new Error("assembled multipart object has the wrong size");
    const etag = `"${createHash("md5")
      .update(Buffer.concat(chosen.map((p) => p.md5)))
      .digest("hex")}-${chosen.length}"`;
    uploads.delete(up.id);
    try {
      await commit(b, up.key, whole, size, etag, up.contentType);
    } finally {
      await rm(up.dir, { recursive: true, force: true });
    }
    return send(reply, 200, "CompleteMultipartUploadResult", {
      Location: `/${b.name}/${up.key}`,
      Bucket: b.name,
      Key: up.key,
      ETag: etag,
    });
  };

  app.route({ method: ["GET", "HEAD", "PUT", "POST", "DELETE"], url: "/*", handler: route });
  app.route({ method: ["GET", "HEAD"], url: "/", handler: route });
  return app;
}

/** Reads a small body (JSON, XML) into memory, refusing anything over `max` bytes. */
async function readSmall(raw: IncomingMessage, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of raw as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > max) throw new S3Error("EntityTooLarge", `this request body is limited to ${max} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}
