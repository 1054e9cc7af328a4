/** @module The S3 namespace rebuilt from signed DA records: access keys, buckets, and each bucket's key → manifest map. */
import { openRecord, type S3Record } from "./records.js";

export interface ObjectEntry {
  readonly key: string;
  readonly manifest: string;
  readonly size: number;
  readonly etag: string;
  readonly contentType: string;
  readonly atMs: number;
}

export interface Bucket {
  readonly name: string;
  readonly owner: string;
  readonly encrypt: boolean;
  readonly createdMs: number;
  /** Who wrote the bucket record: its objects are accepted only from this gateway account. */
  readonly gateway: string;
  readonly objects: Map<string, ObjectEntry>;
  /** The keys in byte order (kept sorted on insert, so listing is a binary search, not a sort). */
  readonly sorted: string[];
}

export interface KeyBinding {
  readonly accessKeyId: string;
  readonly account: string;
  readonly gateway: string;
  revoked: boolean;
}

/** An index as plain data (see S3Index.snapshot). */
export interface S3IndexSnapshot {
  readonly gateways: readonly string[];
  readonly keys: readonly KeyBinding[];
  readonly buckets: readonly (Omit<Bucket, "objects" | "sorted"> & { readonly objects: readonly ObjectEntry[] })[];
}

/** Byte-order comparison of UTF-8 keys, as S3 lists them. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** First index in `sorted` whose key is ≥ `key` (or > `key` when `after`). */
export function lowerBound(sorted: readonly string[], key: string, after = false): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareKeys(sorted[mid]!, key);
    if (c < 0 || (after && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Applies records in DA order. Authority: a key binding or revocation counts only when signed by the account
 * itself; bucket and object records only when signed by a gateway account in `gateways` that the bucket's owner
 * bound a live key to. Anything else is ignored, so a forged or foreign record changes nothing.
 */
export class S3Index {
  readonly keys = new Map<string, KeyBinding>();
  readonly buckets = new Map<string, Bucket>();
  /** How many object entries name each manifest: a pin is dropped only when the last one goes. */
  readonly manifestRefs = new Map<string, number>();

  constructor(private readonly gateways: ReadonlySet<string>) {}

  /** True when the owner has a live key bound to `gateway`. */
  private delegated(owner: string, gateway: string): boolean {
    for (const k of this.keys.values()) if (k.account === owner && k.gateway === gateway && !k.revoked) return true;
    return false;
  }

  /** Applies one DA blob; returns the record when it took effect. */
  applyBlob(data: Uint8Array): S3Record | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(data).toString("utf8"));
    } catch {
      return undefined;
    }
    const opened = openRecord(parsed);
    if (!opened) return undefined;
    return this.apply(opened.record, opened.signer) ? opened.record : undefined;
  }

  apply(x: S3Record, signer: string): boolean {
    switch (x.type) {
      case "key": {
        if (signer !== x.account || !this.gateways.has(x.gateway) || this.keys.has(x.accessKeyId)) return false;
        this.keys.set(x.accessKeyId, {
          accessKeyId: x.accessKeyId,
          account: x.account,
          gateway: x.gateway,
          revoked: false,
        });
        return true;
      }
      case "revoke": {
        const k = this.keys.get(x.accessKeyId);
        if (!k || signer !== k.account || x.account !== k.account) return false;
        k.revoked = true;
        return true;
      }
      case "bucket": {
        if (!this.gateways.has(signer) || this.buckets.has(x.bucket) || !this.delegated(x.owner, signer)) return false;
        this.buckets.set(x.bucket, {
          name: x.bucket,
          owner: x.owner,
          encrypt: x.encrypt,
          createdMs: x.atMs,
          gateway: signer,
          objects: new Map(),
          sorted: [],
        });
        return true;
      }
      default: {
        const b = this.buckets.get(x.bucket);
        if (!b || b.gateway !== signer || !this.delegated(b.owner, signer)) return false;
        if (x.type === "bucketDeleted") {
          if (b.objects.size > 0) return false;
          this.buckets.delete(x.bucket);
          return true;
        }
        const i = lowerBound(b.sorted, x.key);
        const present = b.sorted[i] === x.key;
        if (x.type === "del") {
          if (!present) return false;
          b.sorted.splice(i, 1);
          this.unref(b.objects.get(x.key)!.manifest);
          b.objects.delete(x.key);
          return true;
        }
        if (!present) b.sorted.splice(i, 0, x.key);
        else this.unref(b.objects.get(x.key)!.manifest);
        this.manifestRefs.set(x.manifest, (this.manifestRefs.get(x.manifest) ?? 0) + 1);
        b.objects.set(x.key, {
          key: x.key,
          manifest: x.manifest,
          size: x.size,
          etag: x.etag,
          contentType: x.contentType,
          atMs: x.atMs,
        });
        return true;
      }
    }
  }

  private unref(manifest: string): void {
    const n = (this.manifestRefs.get(manifest) ?? 1) - 1;
    if (n <= 0) this.manifestRefs.delete(manifest);
    else this.manifestRefs.set(manifest, n);
  }

  /**
   * The whole index as plain data (keys in insertion order, buckets and their objects in key order): what a
   * checkpoint stores. `restore` of it gives an index that answers and evolves exactly like this one.
   */
  snapshot(): S3IndexSnapshot {
    return {
      gateways: [...this.gateways].sort(),
      keys: [...this.keys.values()].map((k) => ({ ...k })),
      buckets: [...this.buckets.values()].map((b) => ({
        name: b.name,
        owner: b.owner,
        encrypt: b.encrypt,
        createdMs: b.createdMs,
        gateway: b.gateway,
        objects: b.sorted.map((k) => b.objects.get(k)!),
      })),
    };
  }

  /** Replaces this (empty) index's contents with a snapshot taken under the same trusted gateways. */
  restore(s: S3IndexSnapshot): void {
    if (this.keys.size > 0 || this.buckets.size > 0) throw new Error("restore needs an empty index");
    const mine = [...this.gateways].sort();
    if (s.gateways.length !== mine.length || s.gateways.some((g, i) => g !== mine[i]))
      throw new Error("the snapshot was taken under another set of trusted gateways");
    // Checked whole before anything changes, so a bad snapshot leaves the index empty (a full replay follows).
    for (const b of s.buckets)
      for (let i = 1; i < b.objects.length; i++)
        if (compareKeys(b.objects[i - 1]!.key, b.objects[i]!.key) >= 0)
          throw new Error(`bucket ${b.name}: keys out of order in the snapshot`);
    for (const k of s.keys) this.keys.set(k.accessKeyId, { ...k });
    for (const b of s.buckets) {
      const objects = new Map(b.objects.map((e) => [e.key, { ...e }]));
      for (const e of b.objects) this.manifestRefs.set(e.manifest, (this.manifestRefs.get(e.manifest) ?? 0) + 1);
      this.buckets.set(b.name, { ...b, objects, sorted: b.objects.map((e) => e.key) });
    }
  }

  /** The live binding for an access key (undefined when unknown or revoked). */
  binding(accessKeyId: string): KeyBinding | undefined {
    const k = this.keys.get(accessKeyId);
    return k && !k.revoked ? k : undefined;
  }
}
