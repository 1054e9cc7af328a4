/** @module The S3 gateway's DA records: account-signed access-key bindings and gateway-signed bucket/object entries (ADR-036). */
import { adr036Sign, adr036Verify } from "../../common/adr036.js";
import { pubKeyToAddress } from "../../common/secp256k1.js";

/** Prefix of every signed record, so an S3 signature can never be replayed as another ADR-036 message. */
export const RECORD_DOMAIN = "dsdn.s3.v1\n";
/** A record larger than this is refused (keys ≤ 1024 bytes, so real records stay far below). */
export const MAX_RECORD_BYTES = 8 * 1024;

export const ACCESS_KEY_RE = /^DSDN[A-Z2-7]{16}$/;
export const BUCKET_RE = /^(?!xn--)(?!.*\.\.)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
export const MAX_KEY_BYTES = 1024;

export type S3Record =
  /** Signed by `account`: access key `accessKeyId` acts for it through gateway account `gateway`. */
  | { type: "key"; accessKeyId: string; account: string; gateway: string; signedAtMs: number }
  /** Signed by `account`: the key no longer authenticates. */
  | { type: "revoke"; accessKeyId: string; account: string; signedAtMs: number }
  /** The rest are signed by a gateway account, on behalf of an owner that bound a key to that gateway. */
  | { type: "bucket"; bucket: string; owner: string; encrypt: boolean; atMs: number }
  | { type: "bucketDeleted"; bucket: string; atMs: number }
  | {
      type: "put";
      bucket: string;
      key: string;
      manifest: string;
      size: number;
      etag: string;
      contentType: string;
      atMs: number;
    }
  | { type: "del"; bucket: string; key: string; atMs: number };

/** What goes on DA: the record's JSON exactly as signed, the signer's compressed key and the signature. */
export interface SignedRecord {
  readonly r: string;
  readonly pk: string;
  readonly sig: string;
}

export interface RecordSigner {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

const enc = new TextEncoder();

export function signRecord(record: S3Record, key: RecordSigner): SignedRecord {
  const r = JSON.stringify(record);
  const sig = adr036Sign(enc.encode(RECORD_DOMAIN + r), key.secretKey, key.publicKey);
  return { r, pk: Buffer.from(key.publicKey).toString("base64"), sig: Buffer.from(sig).toString("base64") };
}

/** The record and its signer's address, or undefined when it is malformed, oversized or badly signed. */
export function openRecord(s: unknown): { record: S3Record; signer: string } | undefined {
  if (typeof s !== "object" || s === null) return undefined;
  const { r, pk, sig } = s as Partial<SignedRecord>;
  if (typeof r !== "string" || typeof pk !== "string" || typeof sig !== "string") return undefined;
  if (r.length > MAX_RECORD_BYTES || pk.length > 64 || sig.length > 128) return undefined;
  let record: S3Record;
  let signer: string;
  try {
    record = JSON.parse(r) as S3Record;
    const pub = Buffer.from(pk, "base64");
    signer = pubKeyToAddress(pub);
    if (!adr036Verify(signer, enc.encode(RECORD_DOMAIN + r), pub, Buffer.from(sig, "base64"))) return undefined;
  } catch {
    return undefined;
  }
  return wellFormed(record) ? { record, signer } : undefined;
}

const str = (v: unknown, max: number): v is string => typeof v === "string" && v.length > 0 && v.length <= max;
const ms = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

export function validObjectKey(key: unknown): key is string {
  return typeof key === "string" && key.length > 0 && Buffer.byteLength(key) <= MAX_KEY_BYTES;
}

function wellFormed(x: S3Record): boolean {
  switch (x?.type) {
    case "key":
    case "revoke":
      return (
        ACCESS_KEY_RE.test(String(x.accessKeyId)) &&
        str(x.account, 128) &&
        ms(x.signedAtMs) &&
        (x.type === "revoke" || str(x.gateway, 128))
      );
    case "bucket":
      return BUCKET_RE.test(String(x.bucket)) && str(x.owner, 128) && typeof x.encrypt === "boolean" && ms(x.atMs);
    case "bucketDeleted":
      return BUCKET_RE.test(String(x.bucket)) && ms(x.atMs);
    case "put":
      return (
        BUCKET_RE.test(String(x.bucket)) &&
        validObjectKey(x.key) &&
        str(x.manifest, 128) &&
        ms(x.size) &&
        str(x.etag, 80) &&
        typeof x.contentType === "string" &&
        x.contentType.length <= 256 &&
        ms(x.atMs)
      );
    case "del":
      return BUCKET_RE.test(String(x.bucket)) && validObjectKey(x.key) && ms(x.atMs);
    default:
      return false;
  }
}
