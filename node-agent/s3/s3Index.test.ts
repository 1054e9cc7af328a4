import { describe, expect, it } from "vitest";
import { pubKeyToAddress, secp256k1KeyPair } from "../../common/secp256k1.js";
import { newAccessKeyId } from "./accessKeys.js";
import { type S3Record, signRecord } from "./records.js";
import { S3Index } from "./s3Index.js";

const acct = () => {
  const k = secp256k1KeyPair();
  return { ...k, address: pubKeyToAddress(k.publicKey) };
};
const blob = (r: S3Record, who: ReturnType<typeof acct>) =>
  new TextEncoder().encode(JSON.stringify(signRecord(r, who)));
const put = (key: string, manifest: string): S3Record => ({
  type: "put",
  bucket: "bk1",
  key,
  manifest,
  size: 1,
  etag: '"e"',
  contentType: "",
  atMs: 1,
});

describe("S3Index: who may write what (records anyone can post to the namespace)", () => {
  const gw = acct();
  const owner = acct();
  const mallory = acct();
  const fresh = () => {
    const ix = new S3Index(new Set([gw.address]));
    const keyId = newAccessKeyId();
    expect(
      ix.applyBlob(
        blob({ type: "key", accessKeyId: keyId, account: owner.address, gateway: gw.address, signedAtMs: 1 }, owner),
      ),
    ).toBeDefined();
    expect(
      ix.applyBlob(blob({ type: "bucket", bucket: "bk1", owner: owner.address, encrypt: false, atMs: 1 }, gw)),
    ).toBeDefined();
    return { ix, keyId };
  };

  const attacks: [string, (ix: S3Index, keyId: string) => Uint8Array][] = [
    ["an object record signed by a non-gateway account", () => blob(put("k", "m-evil"), mallory)],
    [
      "a key binding for someone else's account",
      () =>
        blob(
          { type: "key", accessKeyId: newAccessKeyId(), account: owner.address, gateway: gw.address, signedAtMs: 1 },
          mallory,
        ),
    ],
    [
      "a second binding of an existing key id to another account",
      (_ix, keyId) =>
        blob(
          { type: "key", accessKeyId: keyId, account: mallory.address, gateway: gw.address, signedAtMs: 1 },
          mallory,
        ),
    ],
    [
      "a revocation by someone other than the key's account",
      (_ix, keyId) => blob({ type: "revoke", accessKeyId: keyId, account: owner.address, signedAtMs: 1 }, mallory),
    ],
    [
      "a bucket claimed for an owner who never bound a key to the gateway",
      () => blob({ type: "bucket", bucket: "bk2", owner: mallory.address, encrypt: false, atMs: 1 }, gw),
    ],
    [
      "an existing bucket claimed again",
      () => blob({ type: "bucket", bucket: "bk1", owner: owner.address, encrypt: true, atMs: 2 }, gw),
    ],
    [
      "a tampered record (signature over other bytes)",
      () => {
        const s = signRecord(put("k", "m1"), gw);
        return new TextEncoder().encode(JSON.stringify({ ...s, r: s.r.replace("m1", "m2") }));
      },
    ],
    ["an object key over 1024 bytes", () => blob(put("k".repeat(1025), "m"), gw)],
    ["garbage bytes", () => new TextEncoder().encode("{not json")],
  ];
  for (const [name, make] of attacks)
    it(`ignores ${name}`, () => {
      const { ix, keyId } = fresh();
      const before = JSON.stringify([...ix.buckets.values()].map((b) => [b.name, b.owner, b.encrypt, [...b.objects]]));
      const keys = JSON.stringify([...ix.keys.values()]);
      expect(ix.applyBlob(make(ix, keyId))).toBeUndefined();
      expect(JSON.stringify([...ix.buckets.values()].map((b) => [b.name, b.owner, b.encrypt, [...b.objects]]))).toBe(
        before,
      );
      expect(JSON.stringify([...ix.keys.values()])).toBe(keys);
    });

  it("applies the gateway's records in DA order, keeps keys sorted, counts manifest references", () => {
    const { ix } = fresh();
    for (const k of ["b", "a", "c", "a"]) expect(ix.applyBlob(blob(put(k, `m-${k}`), gw))).toBeDefined();
    expect(ix.applyBlob(blob(put("d", "m-a"), gw))).toBeDefined();
    expect(ix.buckets.get("bk1")!.sorted).toEqual(["a", "b", "c", "d"]);
    expect(ix.manifestRefs.get("m-a")).toBe(2);
    expect(ix.applyBlob(blob({ type: "del", bucket: "bk1", key: "a", atMs: 3 }, gw))).toBeDefined();
    expect(ix.manifestRefs.get("m-a")).toBe(1);
    // Once the owner revokes its only key, the gateway can no longer write for it.
    const keyId = [...ix.keys.keys()][0]!;
    expect(
      ix.applyBlob(blob({ type: "revoke", accessKeyId: keyId, account: owner.address, signedAtMs: 2 }, owner)),
    ).toBeDefined();
    expect(ix.binding(keyId)).toBeUndefined();
    expect(ix.applyBlob(blob(put("e", "m-e"), gw))).toBeUndefined();
  });
});
