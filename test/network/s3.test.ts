/**
 * @module End to end on a real localnet (validators, local DA, storage nodes, coordinator, ingress and the S3
 * gateway, all real processes from localnet/start.sh): the AWS SDK against `dsdn-node s3` with the key the
 * localnet bound, objects stored as DSDN files through the coordinator, and the same file fetched back from the
 * ingress's IPFS trustless gateway as a CAR that verifies block by block.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { CarReader } from "@ipld/car/reader";
import { sha256 } from "multiformats/hashes/sha2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Localnet, startLocalnet } from "../support/localnet.js";

const MiB = 1024 * 1024;
let net: Localnet;
let s3: S3Client;
/** The manifest CID the gateway named for the last object answered (its x-dsdn-manifest header). */
let lastManifest = "";

beforeAll(async () => {
  net = await startLocalnet({ storageNodes: 3 });
  const credsFile = net.env.S3_CREDENTIALS_FILE!;
  // The secret lives only in an owner-only file; the env names the file.
  expect(statSync(credsFile).mode & 0o077).toBe(0);
  expect(readFileSync(join(net.dir, "env"), "utf8")).not.toContain(
    JSON.parse(readFileSync(credsFile, "utf8")).secretAccessKey,
  );
  const creds = JSON.parse(readFileSync(credsFile, "utf8")) as { accessKeyId: string; secretAccessKey: string };
  s3 = new S3Client({
    endpoint: net.env.S3_URL!,
    region: net.env.S3_REGION!,
    forcePathStyle: true,
    credentials: creds,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 1,
  });
  s3.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      const h = (out.response as { headers?: Record<string, string> }).headers ?? {};
      if (h["x-dsdn-manifest"]) lastManifest = h["x-dsdn-manifest"];
      return out;
    },
    { step: "deserialize", name: "captureManifest" },
  );
});

afterAll(async () => {
  s3?.destroy();
  await net?.stop();
});

describe("S3 gateway and IPFS trustless gateway on a localnet", () => {
  it("puts, lists, reads ranges and multipart objects through the network; the ingress serves the file as a verifiable CAR", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "e2e" }));
    const small = randomBytes(300 * 1024);
    await s3.send(new PutObjectCommand({ Bucket: "e2e", Key: "dir/small.bin", Body: small }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: "e2e", Key: "dir/small.bin" }));
    expect(head.ContentLength).toBe(small.length);
    const r = await s3.send(new GetObjectCommand({ Bucket: "e2e", Key: "dir/small.bin", Range: "bytes=1000-1999" }));
    expect(Buffer.from(await r.Body!.transformToByteArray()).equals(small.subarray(1000, 2000))).toBe(true);

    const big = randomBytes(12 * MiB);
    await new Upload({
      client: s3,
      params: { Bucket: "e2e", Key: "dir/big.bin", Body: big },
      partSize: 5 * MiB,
    }).done();
    const got = await s3.send(new GetObjectCommand({ Bucket: "e2e", Key: "dir/big.bin" }));
    expect(
      createHash("sha256")
        .update(await got.Body!.transformToByteArray())
        .digest("hex"),
    ).toBe(createHash("sha256").update(big).digest("hex"));
    const list = await s3.send(new ListObjectsV2Command({ Bucket: "e2e", Delimiter: "/" }));
    expect(list.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["dir/"]);

    // The object is a DSDN file declared on DA: the ingress's trustless gateway serves its blocks.
    const res = await fetch(`${net.env.S3_URL}/e2e/dir/small.bin`).catch(() => undefined);
    expect(res?.status).toBe(403); // unsigned: refused
    await s3.send(new HeadObjectCommand({ Bucket: "e2e", Key: "dir/small.bin" }));
    expect(lastManifest).toMatch(/^bafkrei/);
    const meta = await fetch(`${net.env.IPFS_GATEWAY_URL}/${lastManifest}?format=car`);
    expect(meta.status).toBe(200);
    const car = await CarReader.fromBytes(new Uint8Array(await meta.arrayBuffer()));
    const blocks = [];
    for await (const b of car.blocks()) blocks.push(b);
    for (const b of blocks)
      expect(Buffer.from((await sha256.digest(b.bytes)).digest).equals(Buffer.from(b.cid.multihash.digest))).toBe(true);
    expect(Buffer.concat(blocks.slice(1).map((b) => b.bytes)).equals(small)).toBe(true);

    await s3.send(new DeleteObjectCommand({ Bucket: "e2e", Key: "dir/small.bin" }));
    await expect(s3.send(new HeadObjectCommand({ Bucket: "e2e", Key: "dir/small.bin" }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });
});
