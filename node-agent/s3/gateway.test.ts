import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { Sha256 } from "@aws-crypto/sha256-js";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ServiceException,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { SignatureV4 } from "@smithy/signature-v4";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Keystore } from "../../clients/agent/keystore.js";
import { pubKeyToAddress, secp256k1KeyPair } from "../../common/secp256k1.js";
import { MemoryDA } from "../da/memoryDA.js";
import { loadOrCreateIdentity } from "../storage/identity.js";
import { LocalFsStorage } from "../storage/localfs.js";
import { createChunkServer } from "../storage/server.js";
import { newAccessKeyId, signKeyRequest } from "./accessKeys.js";
import { createS3Gateway } from "./gateway.js";
import { S3Ledger } from "./ledger.js";
import { directStore } from "./objectStore.js";
import { signRecord } from "./records.js";
import { S3Index } from "./s3Index.js";

const MiB = 1024 * 1024;
const account = () => {
  const k = secp256k1KeyPair();
  return { ...k, address: pubKeyToAddress(k.publicKey) };
};

let tmp: string;
let da: MemoryDA;
let nodeUrl: string;
/** Chunk GETs the chunk server answered (manifests included): what a ranged read costs. */
let chunkGets = 0;
const master = randomBytes(32);
const gatewayAcct = account();
const alice = account();
const bob = account();
const closers: (() => Promise<unknown>)[] = [];

async function startGateway(): Promise<{ url: string; app: FastifyInstance; ledger: S3Ledger }> {
  const ledger = new S3Ledger(da, new S3Index(new Set([gatewayAcct.address])));
  await ledger.sync();
  ledger.start();
  const dir = mkdtempSync(join(tmp, "gw-"));
  const app = createS3Gateway({
    ledger,
    store: directStore([nodeUrl], new Keystore(join(tmp, "keys")), 4 * MiB),
    account: gatewayAcct,
    masterKey: master,
    dataDir: dir,
    log: () => {},
  });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  closers.push(
    () => app.close(),
    () => ledger.stop(),
  );
  return { url, app, ledger };
}

async function bindKey(url: string, who: typeof alice, body?: unknown) {
  const res = await fetch(`${url}/_dsdn/keys`, {
    method: "POST",
    body: JSON.stringify(body ?? signKeyRequest(who, gatewayAcct.address)),
  });
  return { status: res.status, body: (await res.text()) as string };
}

const client = (url: string, accessKeyId: string, secretAccessKey: string) =>
  new S3Client({
    endpoint: url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    // Plain Content-Length bodies (no aws-chunked trailers); the payload is still SHA-256 signed.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 1,
  });

const errorOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as S3ServiceException;
  }
  throw new Error("expected the request to be refused");
};

let gw: { url: string };
let s3: S3Client;
let creds: { accessKeyId: string; secretAccessKey: string };

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "dsdn-s3-"));
  da = new MemoryDA();
  const ndir = join(tmp, "node");
  const storage = await LocalFsStorage.open(ndir);
  const { app } = createChunkServer({
    authority: "open",
    storage,
    identity: await loadOrCreateIdentity(ndir),
    zone: "z",
  });
  app.addHook("onRequest", async (req) => {
    if (req.method === "GET" && req.url.startsWith("/chunks/")) chunkGets++;
  });
  nodeUrl = await app.listen({ port: 0, host: "127.0.0.1" });
  closers.push(() => app.close());
  gw = await startGateway();
  const r = await bindKey(gw.url, alice);
  expect(r.status).toBe(200);
  creds = JSON.parse(r.body);
  s3 = client(gw.url, creds.accessKeyId, creds.secretAccessKey);
  await s3.send(new CreateBucketCommand({ Bucket: "alice-bucket" }));
});

afterAll(async () => {
  s3?.destroy();
  for (const c of closers.reverse()) await c().catch(() => {});
  rmSync(tmp, { recursive: true, force: true });
});

describe("S3 gateway with the AWS SDK", () => {
  it("put, head, get (whole and ranged), copy, delete", async () => {
    const body = randomBytes(9 * MiB + 17); // three DSDN chunks
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: "alice-bucket",
        Key: "docs/a.bin",
        Body: body,
        ContentType: "application/x-test",
      }),
    );
    expect(put.ETag).toBe(`"${createHash("md5").update(body).digest("hex")}"`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: "alice-bucket", Key: "docs/a.bin" }));
    expect(head.ContentLength).toBe(body.length);
    expect(head.ContentType).toBe("application/x-test");
    const whole = await s3.send(new GetObjectCommand({ Bucket: "alice-bucket", Key: "docs/a.bin" }));
    expect(Buffer.from(await whole.Body!.transformToByteArray()).equals(body)).toBe(true);
    const start = 4 * MiB - 3; // spans a chunk boundary
    const ranged = await s3.send(
      new GetObjectCommand({ Bucket: "alice-bucket", Key: "docs/a.bin", Range: `bytes=${start}-${start + 99}` }),
    );
    expect(ranged.ContentRange).toBe(`bytes ${start}-${start + 99}/${body.length}`);
    expect(Buffer.from(await ranged.Body!.transformToByteArray()).equals(body.subarray(start, start + 100))).toBe(true);

    const copy = await s3.send(
      new CopyObjectCommand({ Bucket: "alice-bucket", Key: "copy.bin", CopySource: "alice-bucket/docs/a.bin" }),
    );
    expect(copy.CopyObjectResult?.ETag).toBe(put.ETag);
    const copied = await s3.send(new GetObjectCommand({ Bucket: "alice-bucket", Key: "copy.bin" }));
    expect(Buffer.from(await copied.Body!.transformToByteArray()).equals(body)).toBe(true);

    await s3.send(new DeleteObjectCommand({ Bucket: "alice-bucket", Key: "copy.bin" }));
    const gone = await errorOf(s3.send(new GetObjectCommand({ Bucket: "alice-bucket", Key: "copy.bin" })));
    expect(gone.name).toBe("NoSuchKey");
    expect(gone.$metadata.httpStatusCode).toBe(404);
    // The original still reads after its copy is deleted (shared manifest, reference-counted).
    const still = await s3.send(
      new GetObjectCommand({ Bucket: "alice-bucket", Key: "docs/a.bin", Range: "bytes=0-9" }),
    );
    expect(Buffer.from(await still.Body!.transformToByteArray()).equals(body.subarray(0, 10))).toBe(true);
  });

  it("a ranged GET of a 64 MiB object reads only the chunks that overlap the range", { timeout: 120_000 }, async () => {
    const size = 64 * MiB;
    const chunk = 4 * MiB; // the gateway's DSDN chunk size in this suite
    const body = randomBytes(size);
    await s3.send(new PutObjectCommand({ Bucket: "alice-bucket", Key: "big/64MiB", Body: body }));
    const get = async (range: string) => {
      const before = chunkGets;
      const r = await s3.send(new GetObjectCommand({ Bucket: "alice-bucket", Key: "big/64MiB", Range: range }));
      const bytes = Buffer.from(await r.Body!.transformToByteArray());
      return { bytes, contentRange: r.ContentRange, fetched: chunkGets - before - 1 /* the manifest */ };
    };
    const cases: { range: string; start: number; end: number }[] = [
      { range: "bytes=100-199", start: 100, end: 199 }, // inside the first chunk
      { range: `bytes=${chunk - 1}-${chunk}`, start: chunk - 1, end: chunk }, // across a chunk boundary
      { range: `bytes=${5 * chunk}-${6 * chunk - 1}`, start: 5 * chunk, end: 6 * chunk - 1 }, // exactly one chunk
      { range: `bytes=${size / 2}-${size / 2 + MiB - 1}`, start: size / 2, end: size / 2 + MiB - 1 }, // 1 MiB mid-file
      { range: "bytes=-10", start: size - 10, end: size - 1 }, // suffix
      { range: `bytes=${size - chunk - 5}-`, start: size - chunk - 5, end: size - 1 }, // open to the end
      { range: `bytes=${size - 3}-${size + 1000}`, start: size - 3, end: size - 1 }, // end past the object: clamped
    ];
    for (const c of cases) {
      const g = await get(c.range);
      expect(g.contentRange, c.range).toBe(`bytes ${c.start}-${c.end}/${size}`);
      expect(g.bytes.equals(body.subarray(c.start, c.end + 1)), c.range).toBe(true);
      // The chunks overlapping [start, end], counted from the placement of the bytes, not from the answer.
      const overlapping = Math.floor(c.end / chunk) - Math.floor(c.start / chunk) + 1;
      expect(g.fetched, c.range).toBe(overlapping);
    }
    // Unsatisfiable ranges: 416 with S3's XML error, nothing fetched.
    for (const bad of [`bytes=${size}-`, `bytes=${size + 5}-${size + 9}`, "bytes=9-3", "bytes=-0", "bytes=x-y"]) {
      const before = chunkGets;
      const e = await errorOf(s3.send(new GetObjectCommand({ Bucket: "alice-bucket", Key: "big/64MiB", Range: bad })));
      expect(e.$metadata.httpStatusCode, bad).toBe(416);
      expect(e.name, bad).toBe("InvalidRange");
      expect(chunkGets, bad).toBe(before);
    }
    await s3.send(new DeleteObjectCommand({ Bucket: "alice-bucket", Key: "big/64MiB" }));
  });

  it("lists with prefix, delimiter and continuation tokens", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "list-bucket" }));
    const keys = ["a/1", "a/2", "b/1", "c", "d", "e/x/1", "e/y", "e/../z"];
    for (const k of keys) await s3.send(new PutObjectCommand({ Bucket: "list-bucket", Key: k, Body: k }));
    const top = await s3.send(new ListObjectsV2Command({ Bucket: "list-bucket", Delimiter: "/" }));
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["a/", "b/", "e/"]);
    expect(top.Contents?.map((c) => c.Key)).toEqual(["c", "d"]);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: "list-bucket", Delimiter: "/", MaxKeys: 2, ContinuationToken: token }),
      );
      seen.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!), ...(page.Contents ?? []).map((c) => c.Key!));
      token = page.NextContinuationToken;
      pages++;
      expect(page.KeyCount).toBeLessThanOrEqual(2);
    } while (token);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(["a/", "b/", "c", "d", "e/"]);
    const under = await s3.send(new ListObjectsV2Command({ Bucket: "list-bucket", Prefix: "e/" }));
    // "." and ".." are plain key characters: e/../z stays under e/.
    expect(under.Contents?.map((c) => c.Key)).toEqual(["e/../z", "e/x/1", "e/y"]);
  });

  it("multipart upload of 100 MiB with lib-storage Upload, read back intact", { timeout: 300_000 }, async () => {
    const body = randomBytes(100 * MiB);
    const up = new Upload({
      client: s3,
      params: { Bucket: "alice-bucket", Key: "big/100MiB", Body: body },
      partSize: 8 * MiB,
      queueSize: 4,
    });
    const done = await up.done();
    expect(done.ETag).toMatch(/-13"$/);
    const got = await s3.send(new GetObjectCommand({ Bucket: "alice-bucket", Key: "big/100MiB" }));
    const h = createHash("sha256");
    for await (const c of got.Body as AsyncIterable<Uint8Array>) h.update(c);
    expect(h.digest("hex")).toBe(createHash("sha256").update(body).digest("hex"));
  });

  it("refuses a wrong signature, an unknown key, and another account's key on this bucket", async () => {
    // Change the secret's last character (to one it is not: a base64url secret ends in "x" one time in 64).
    const last = creds.secretAccessKey.slice(-1) === "x" ? "y" : "x";
    const wrong = client(gw.url, creds.accessKeyId, `${creds.secretAccessKey.slice(0, -1)}${last}`);
    const e1 = await errorOf(wrong.send(new PutObjectCommand({ Bucket: "alice-bucket", Key: "x", Body: "evil" })));
    expect(e1.name).toBe("SignatureDoesNotMatch");
    expect(e1.$metadata.httpStatusCode).toBe(403);
    const unknown = client(gw.url, newAccessKeyId(), creds.secretAccessKey);
    expect(
      (await errorOf(unknown.send(new GetObjectCommand({ Bucket: "alice-bucket", Key: "docs/a.bin" })))).name,
    ).toBe("InvalidAccessKeyId");
    const b = await bindKey(gw.url, bob);
    expect(b.status).toBe(200);
    const bc = JSON.parse(b.body) as typeof creds;
    const asBob = client(gw.url, bc.accessKeyId, bc.secretAccessKey);
    for (const cmd of [
      new GetObjectCommand({ Bucket: "alice-bucket", Key: "docs/a.bin" }),
      new PutObjectCommand({ Bucket: "alice-bucket", Key: "docs/a.bin", Body: "overwrite" }),
      new DeleteObjectCommand({ Bucket: "alice-bucket", Key: "docs/a.bin" }),
      new ListObjectsV2Command({ Bucket: "alice-bucket" }),
      new CopyObjectCommand({ Bucket: "alice-bucket", Key: "stolen", CopySource: "alice-bucket/docs/a.bin" }),
    ])
      expect((await errorOf(asBob.send(cmd as never))).name).toBe("AccessDenied");
    expect((await errorOf(asBob.send(new CreateBucketCommand({ Bucket: "alice-bucket" })))).name).toBe(
      "BucketAlreadyExists",
    );
    // Alice's object is untouched.
    const h = await s3.send(new HeadObjectCommand({ Bucket: "alice-bucket", Key: "docs/a.bin" }));
    expect(h.ContentLength).toBe(9 * MiB + 17);
    // A body that does not match its signed SHA-256 is refused and stores nothing.
    const sig = await fetch(`${gw.url}/alice-bucket/no`, { method: "PUT", body: "x" });
    expect(sig.status).toBe(403);
    expect(await sig.text()).toMatch(/<Code>AccessDenied<\/Code>/);
    asBob.destroy();
    wrong.destroy();
    unknown.destroy();
  });

  it("presigned URLs (SigV4 query auth): GET and PUT work until they expire; tampering, expiry and bad X-Amz-Expires are refused", async () => {
    const body = randomBytes(1000);
    await s3.send(new PutObjectCommand({ Bucket: "alice-bucket", Key: "pre/a.bin", Body: body }));
    const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: "alice-bucket", Key: "pre/a.bin" }), {
      expiresIn: 60,
    });
    expect(getUrl).toMatch(/X-Amz-Signature=/);
    const ok = await fetch(getUrl);
    expect(ok.status).toBe(200);
    expect(Buffer.from(await ok.arrayBuffer()).equals(body)).toBe(true);
    const ranged = await fetch(getUrl, { headers: { range: "bytes=10-19" } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(body.subarray(10, 20))).toBe(true);

    // A presigned PUT stores exactly what is sent (the payload is unsigned, as in S3).
    const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: "alice-bucket", Key: "pre/up.bin" }), {
      expiresIn: 60,
    });
    const upBody = randomBytes(2048);
    expect((await fetch(putUrl, { method: "PUT", body: upBody })).status).toBe(200);
    const back = await s3.send(new GetObjectCommand({ Bucket: "alice-bucket", Key: "pre/up.bin" }));
    expect(Buffer.from(await back.Body!.transformToByteArray()).equals(upBody)).toBe(true);

    const refused = async (url: string, init?: RequestInit) => {
      const r = await fetch(url, init);
      return { status: r.status, code: /<Code>([^<]+)<\/Code>/.exec(await r.text())?.[1] };
    };
    const u = new URL(getUrl);
    const withParam = (name: string, value: string) => {
      const x = new URL(u);
      x.searchParams.set(name, value);
      return x.toString();
    };
    // Tampering: another key, another expiry, another signature, a query parameter added.
    const otherKey = new URL(u);
    otherKey.pathname = "/alice-bucket/pre/up.bin";
    expect(await refused(otherKey.toString())).toEqual({ status: 403, code: "SignatureDoesNotMatch" });
    expect(await refused(withParam("X-Amz-Expires", "3600"))).toEqual({ status: 403, code: "SignatureDoesNotMatch" });
    const sig = u.searchParams.get("X-Amz-Signature")!;
    const flipped = `${sig.slice(0, -1)}${sig.endsWith("0") ? "1" : "0"}`;
    expect(await refused(withParam("X-Amz-Signature", flipped))).toEqual({
      status: 403,
      code: "SignatureDoesNotMatch",
    });
    expect(await refused(withParam("response-content-type", "text/html"))).toEqual({
      status: 403,
      code: "SignatureDoesNotMatch",
    });
    // The GET URL used for a PUT (method is signed) stores nothing.
    expect(await refused(getUrl, { method: "PUT", body: "evil" })).toEqual({
      status: 403,
      code: "SignatureDoesNotMatch",
    });
    const still = await s3.send(new GetObjectCommand({ Bucket: "alice-bucket", Key: "pre/a.bin" }));
    expect(Buffer.from(await still.Body!.transformToByteArray()).equals(body)).toBe(true);
    // X-Amz-Expires outside 1 s … 7 days, or malformed.
    for (const e of ["0", "604801", "-5", "1e3", "abc"])
      expect(await refused(withParam("X-Amz-Expires", e)), e).toEqual({
        status: 400,
        code: "AuthorizationQueryParametersError",
      });
    // Unknown access key; another account's key cannot presign Alice's objects.
    const unknown = client(gw.url, newAccessKeyId(), creds.secretAccessKey);
    const unknownUrl = await getSignedUrl(unknown, new GetObjectCommand({ Bucket: "alice-bucket", Key: "pre/a.bin" }));
    expect(await refused(unknownUrl)).toEqual({ status: 403, code: "InvalidAccessKeyId" });
    unknown.destroy();
    // A URL presigned without X-Amz-Content-Sha256 in its query (boto3, the AWS CLI): also accepted.
    const bare = await new SignatureV4({
      credentials: creds,
      region: "us-east-1",
      service: "s3",
      sha256: Sha256,
      uriEscapePath: false,
    }).presign(
      {
        method: "GET",
        protocol: "http:",
        hostname: u.host,
        path: "/alice-bucket/pre/a.bin",
        query: {},
        // The payload hash S3 uses for query auth, kept out of the query and out of the signed headers.
        headers: { host: u.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
      },
      {
        expiresIn: 60,
        unhoistableHeaders: new Set(["x-amz-content-sha256"]),
        unsignableHeaders: new Set(["x-amz-content-sha256"]),
      },
    );
    const bareUrl = `${u.origin}${bare.path}?${new URLSearchParams(bare.query as Record<string, string>)}`;
    expect(bareUrl).not.toMatch(/Content-Sha256/i);
    const bareGet = await fetch(bareUrl);
    expect(bareGet.status).toBe(200);
    expect(Buffer.from(await bareGet.arrayBuffer()).equals(body)).toBe(true);
    // Both a presigned query and an Authorization header: refused.
    expect(await refused(getUrl, { headers: { authorization: "AWS4-HMAC-SHA256 Credential=x" } })).toEqual({
      status: 400,
      code: "InvalidArgument",
    });
  });

  it("a presigned URL expires at X-Amz-Date + X-Amz-Expires", async () => {
    // A gateway whose clock is ahead: the same URL is valid inside its lifetime and refused after it.
    let clock = Date.now();
    const ledger = new S3Ledger(da, new S3Index(new Set([gatewayAcct.address])));
    await ledger.sync();
    const app = createS3Gateway({
      ledger,
      store: directStore([nodeUrl], new Keystore(join(tmp, "keys")), 4 * MiB),
      account: gatewayAcct,
      masterKey: master,
      dataDir: mkdtempSync(join(tmp, "gw-")),
      log: () => {},
      now: () => clock,
    });
    const url = await app.listen({ port: 0, host: "127.0.0.1" });
    const c = client(url, creds.accessKeyId, creds.secretAccessKey);
    try {
      const signed = await getSignedUrl(c, new HeadObjectCommand({ Bucket: "alice-bucket", Key: "pre/a.bin" }), {
        expiresIn: 300,
      });
      const date = new URL(signed).searchParams.get("X-Amz-Date")!;
      const t0 = Date.UTC(
        +date.slice(0, 4),
        +date.slice(4, 6) - 1,
        +date.slice(6, 8),
        +date.slice(9, 11),
        +date.slice(11, 13),
        +date.slice(13, 15),
      );
      clock = t0 + 299_000;
      expect((await fetch(signed, { method: "HEAD" })).status).toBe(200);
      clock = t0 + 301_000;
      const late = await fetch(signed, { method: "HEAD" });
      expect(late.status).toBe(403);
      const lateGet = await getSignedUrl(c, new GetObjectCommand({ Bucket: "alice-bucket", Key: "pre/a.bin" }), {
        expiresIn: 300,
        signingDate: new Date(t0),
      });
      const r = await fetch(lateGet);
      expect(r.status).toBe(403);
      expect(await r.text()).toMatch(/<Code>AccessDenied<\/Code>.*expired/s);
      // Signed too far in the future (beyond the clock skew): not valid yet.
      clock = t0 - 16 * 60 * 1000;
      expect((await fetch(lateGet)).status).toBe(403);
    } finally {
      c.destroy();
      await app.close();
      await ledger.stop();
    }
  });

  it("a stream PutObject from an SDK client with default checksums (aws-chunked, crc32 trailer) stores the exact bytes", async () => {
    const sdk = new S3Client({
      endpoint: gw.url,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: creds,
      maxAttempts: 1,
    });
    try {
      const body = randomBytes(3 * MiB + 5);
      await sdk.send(
        new PutObjectCommand({
          Bucket: "alice-bucket",
          Key: "stream/a.bin",
          Body: Readable.from([body.subarray(0, MiB), body.subarray(MiB)]),
          ContentLength: body.length,
        }),
      );
      const got = await s3.send(new GetObjectCommand({ Bucket: "alice-bucket", Key: "stream/a.bin" }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
      const head = await s3.send(new HeadObjectCommand({ Bucket: "alice-bucket", Key: "stream/a.bin" }));
      expect(head.ETag).toBe(`"${createHash("md5").update(body).digest("hex")}"`);
    } finally {
      sdk.destroy();
    }
  });

  it("binds keys only on the account's own fresh signature, once", async () => {
    const mallory = account();
    // Mallory signs a binding that claims Alice's account.
    const forged = signRecord(
      {
        type: "key",
        accessKeyId: newAccessKeyId(),
        account: alice.address,
        gateway: gatewayAcct.address,
        signedAtMs: Date.now(),
      },
      mallory,
    );
    expect((await bindKey(gw.url, mallory, forged)).status).toBe(403);
    // A valid binding replayed, one naming another gateway, one signed long ago, and a tampered one.
    const good = signKeyRequest(mallory, gatewayAcct.address);
    expect((await bindKey(gw.url, mallory, good)).status).toBe(200);
    expect((await bindKey(gw.url, mallory, good)).status).toBe(403);
    expect((await bindKey(gw.url, mallory, signKeyRequest(mallory, alice.address))).status).toBe(403);
    expect(
      (await bindKey(gw.url, mallory, signKeyRequest(mallory, gatewayAcct.address, Date.now() - 3_600_000))).status,
    ).toBe(403);
    const fresh = signKeyRequest(mallory, gatewayAcct.address);
    expect(
      (await bindKey(gw.url, mallory, { ...fresh, r: fresh.r.replace(mallory.address, alice.address) })).status,
    ).toBe(403);
    // No secret in any answer but the binding's own.
    expect((await bindKey(gw.url, mallory, forged)).body).not.toMatch(/secret/i);
  });

  it("a second gateway instance rebuilds the index from DA alone and serves the same objects", async () => {
    const second = await startGateway();
    const s3b = client(second.url, creds.accessKeyId, creds.secretAccessKey);
    const list = await s3b.send(new ListObjectsV2Command({ Bucket: "alice-bucket", Prefix: "docs/" }));
    expect(list.Contents?.map((c) => c.Key)).toEqual(["docs/a.bin"]);
    const got = await s3b.send(new GetObjectCommand({ Bucket: "alice-bucket", Key: "docs/a.bin", Range: "bytes=0-3" }));
    expect((await got.Body!.transformToByteArray()).length).toBe(4);
    s3b.destroy();
  });
});
