/** @module Decoded manifests by CID (content-addressed, so never stale), bounded by the chunk references held. */
import type { Manifest } from "../storage/manifest.js";

/** One chunk of a file; an erasure-coded chunk also names its shards and code (it is rebuilt from k of them). */
export interface FilePart {
  readonly cid: string;
  readonly size: number;
  readonly stripe?: { readonly shards: readonly string[]; readonly k: number; readonly m: number };
}

export interface FileLayout {
  readonly name: string;
  readonly parts: readonly FilePart[];
  readonly total: number;
}

/** An LRU over decoded file layouts; a file's weight is its number of chunk references. */
export class ManifestCache {
  private readonly entries = new Map<string, FileLayout>();
  private refs = 0;

  constructor(private readonly maxRefs = 1 << 18) {}

  get(cid: string): FileLayout | undefined {
    const hit = this.entries.get(cid);
    if (hit) {
      this.entries.delete(cid);
      this.entries.set(cid, hit);
    }
    return hit;
  }

  /** Keeps the layout of a decoded manifest (the plain fields only, not the protobuf objects). */
  put(cid: string, m: Manifest): FileLayout {
    const ec = m.erasure;
    const parts: FilePart[] = m.chunks.map((c) => ({
      cid: c.cid,
      size: Number(c.size),
      ...(ec ? { stripe: { shards: c.shards, k: ec.dataShards, m: ec.parityShards } } : {}),
    }));
    const layout: FileLayout = { name: m.name, parts, total: parts.reduce((n, p) => n + p.size, 0) };
    if (parts.length > this.maxRefs) return layout;
    this.entries.delete(cid);
    this.entries.set(cid, layout);
    this.refs += parts.length;
    for (const [k, v] of this.entries) {
      if (this.refs <= this.maxRefs) break;
      this.entries.delete(k);
      this.refs -= v.parts.length;
    }
    return layout;
  }

  get size(): number {
    return this.entries.size;
  }
}
