/**
 * @module A member's preprocessed FROST nonces for one-round signing: made ahead of any message, each spent at
 * most once — and the spend is on disk (fsync + rename) before the share is computed, so neither a replayed
 * package nor a restart can ever sign twice with one nonce pair.
 *
 * Nothing secret is stored: nonce pair k of a batch is RFC 9591 `nonce_generate` over the signing share with
 * randomness SHA-256(batch salt ‖ k ‖ hiding|binding) (noble's `commit` with that rng), so the file holds only
 * the public salt, k and the commitments, and a nonce can be rebuilt only by the share's holder.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, open, rename } from "node:fs/promises";
import { join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { FrostSecret, Nonces } from "@noble/curves/abstract/frost.js";
import { ed25519_FROST } from "@noble/curves/ed25519.js";
import { bytesEqual, concatBytes, fromHex, sha256, toHex } from "../../../common/hash.js";
import { fsyncDir } from "../../../common/privateFile.js";

/** Nonce pairs made per request at most, and kept per group key at most (the oldest unspent are dropped). */
export const MAX_PREPROCESS_BATCH = 64;
export const MAX_POOLED_NONCES = 1024;
/**
 * New pairs wait this long (ms) for a spend's write to ride along before they start a write of their own: under a
 * stream of signings a refill costs no flush of its own, so no spend ever queues behind a refill's fsync.
 */
export const DEFAULT_RIDE_MS = 50;

const FORMAT = "dsdn-frost-nonces";

interface Entry {
  readonly salt: string;
  readonly k: number;
  readonly hiding: string;
  readonly binding: string;
}

/** The writes of one pool file: the last one queued, and the one not yet started that new changes can join. */
interface WriteQueue {
  tail: Promise<void>;
  pending?: Promise<void>;
  /** Callers waiting for the next write to start (new pairs), and the timer that starts one if none does. */
  riders: { resolve: () => void; reject: (e: unknown) => void }[];
  rideTimer?: NodeJS.Timeout;
}

export interface PooledNonce {
  readonly hiding: Uint8Array;
  readonly binding: Uint8Array;
}

function rngFor(salt: Uint8Array, k: number): (n?: number) => Uint8Array {
  let call = 0;
  return (n?: number) => {
    if (n !== 32) throw new Error("nonce rng: expected 32-byte requests");
    const idx = new Uint8Array(5);
    new DataView(idx.buffer).setUint32(0, k);
    idx[4] = call++;
    return sha256(concatBytes(salt, idx));
  };
}

/** The unspent preprocessed nonces of one member, one file per group key under the key-share directory. */
export class NoncePool {
  readonly #dir: string;
  readonly #pools = new Map<string, Map<string, Entry>>(); // group key hex -> (hiding‖binding hex -> entry)
  readonly #writes = new Map<string, WriteQueue>(); // group key hex -> its queued writes
  #madeDir = false;

  readonly #rideMs: number;

  constructor(dir: string, opts: { rideMs?: number } = {}) {
    this.#dir = dir;
    this.#rideMs = opts.rideMs ?? DEFAULT_RIDE_MS;
  }

  #queue(groupKeyHex: string): WriteQueue {
    let q = this.#writes.get(groupKeyHex);
    if (!q) {
      q = { tail: Promise.resolve(), riders: [] };
      this.#writes.set(groupKeyHex, q);
    }
    return q;
  }

  #path(groupKeyHex: string): string {
    return join(this.#dir, `nonces-${groupKeyHex}.json`);
  }

  #pool(groupKeyHex: string): Map<string, Entry> {
    let pool = this.#pools.get(groupKeyHex);
    if (pool) return pool;
    pool = new Map();
    try {
      const file = JSON.parse(readFileSync(this.#path(groupKeyHex), "utf8")) as { format?: string; entries?: Entry[] };
      if (file.format === FORMAT && Array.isArray(file.entries)) {
        for (const e of file.entries) pool.set(e.hiding + e.binding, e);
      }
    } catch {
      // No file (or an unreadable one): start empty. Entries it held can never be spent — always safe.
    }
    this.#pools.set(groupKeyHex, pool);
    return pool;
  }

  /**
   * Writes the pool via temp file + fsync + rename; once the promise resolves, a restart sees the pool as it was
   * when this write started — which includes every change made before the call. Writes of one file run one after
   * another and each snapshots the pool when it starts, so an older snapshot never lands last; a call made while
   * a write is queued but not started joins that write (its snapshot will include the change), so a burst of
   * spends and refills costs one flush after the running one, not one each.
   */
  #persist(groupKeyHex: string): Promise<void> {
    const queue = this.#queue(groupKeyHex);
    if (queue.pending) return queue.pending;
    const run = async () => {
      if (!this.#madeDir) {
        await mkdir(this.#dir, { recursive: true, mode: 0o700 });
        this.#madeDir = true;
      }
      // From here on a change needs a new write: this one's snapshot is taken now, synchronously.
      queue.pending = undefined;
      const body = JSON.stringify({ format: FORMAT, version: 1, entries: [...this.#pool(groupKeyHex).values()] });
      const path = this.#path(groupKeyHex);
      const tmp = `${path}.${process.pid}.${toHex(randomBytes(4))}.tmp`;
      const fd = await open(tmp, "wx", 0o600);
      try {
        await fd.writeFile(body);
        await fd.sync();
      } finally {
        await fd.close();
      }
      await rename(tmp, path);
      // Without this a power cut could bring back the old file: a spent nonce signing twice leaks the key share.
      await fsyncDir(this.#dir);
    };
    const next = queue.tail.catch(() => undefined).then(run);
    queue.pending = next;
    queue.tail = next;
    // Callers waiting for a write made their changes before this one was queued: its snapshot includes them.
    const riders = queue.riders.splice(0);
    clearTimeout(queue.rideTimer);
    queue.rideTimer = undefined;
    if (riders.length > 0) {
      next.then(
        () => {
          for (const r of riders) r.resolve();
        },
        (e) => {
          for (const r of riders) r.reject(e);
        },
      );
    }
    return next;
  }

  /**
   * Like #persist, but does not start a write at once: joins the next write anyone queues (a spend's), or starts
   * one after the ride delay if none does. Resolves, like #persist, once a snapshot taken after the call is on disk.
   */
  #persistSoon(groupKeyHex: string): Promise<void> {
    const queue = this.#queue(groupKeyHex);
    if (queue.pending) return queue.pending;
    if (this.#rideMs <= 0) return this.#persist(groupKeyHex);
    return new Promise<void>((resolve, reject) => {
      queue.riders.push({ resolve, reject });
      queue.rideTimer ??= setTimeout(() => {
        queue.rideTimer = undefined;
        this.#persist(groupKeyHex).catch(() => undefined); // the riders get the outcome
      }, this.#rideMs);
    });
  }

  /**
   * Makes `count` new nonce pairs for this group and returns their commitments (the pool is saved first). Yields
   * to the event loop after each pair (two base-point multiplications), so a signing that arrives during a refill
   * is served between pairs rather than after the whole batch; the save rides along the next spend's write when
   * one comes within the ride delay.
   */
  async make(groupPublicKey: Uint8Array, secret: FrostSecret, count: number): Promise<PooledNonce[]> {
    const gk = toHex(groupPublicKey);
    const pool = this.#pool(gk);
    const salt = randomBytes(32);
    const out: PooledNonce[] = [];
    for (let k = 0; k < count; k++) {
      if (k > 0) await nextTurn();
      const { commitments } = ed25519_FROST.commit(secret, rngFor(salt, k));
      const e = { salt: toHex(salt), k, hiding: toHex(commitments.hiding), binding: toHex(commitments.binding) };
      pool.set(e.hiding + e.binding, e);
      out.push({ hiding: commitments.hiding, binding: commitments.binding });
    }
    for (const key of pool.keys()) {
      if (pool.size <= MAX_POOLED_NONCES) break;
      pool.delete(key); // Map order is insertion order: the oldest go first
    }
    await this.#persistSoon(gk);
    return out;
  }

  /** How many unspent pairs this member holds for the group. */
  size(groupPublicKey: Uint8Array): number {
    return this.#pool(toHex(groupPublicKey)).size;
  }

  /**
   * Spends the nonce pair behind (hiding, binding): removes it from memory at once (no other call can take it)
   * and resolves with the nonces only once the removal is on disk, so it is gone even if we crash while
   * signing. Undefined at once when it is not ours or already spent. `whileSyncing` runs public work (the
   * signing context) in the next turn of the event loop, while the flush is under way in the thread pool; the
   * share must not be computed before this resolves.
   */
  spend(
    groupPublicKey: Uint8Array,
    secret: FrostSecret,
    hiding: Uint8Array,
    binding: Uint8Array,
    whileSyncing?: () => void,
  ): Promise<Nonces | undefined> | undefined {
    const gk = toHex(groupPublicKey);
    const pool = this.#pool(gk);
    const key = toHex(hiding) + toHex(binding);
    const e = pool.get(key);
    if (!e) return undefined;
    pool.delete(key);
    const written = this.#persist(gk);
    if (whileSyncing) setImmediate(whileSyncing); // the caller's hook returns its errors, it does not throw
    const { nonces, commitments } = ed25519_FROST.commit(secret, rngFor(fromHex(e.salt), e.k));
    // The share (or the file) changed since the pair was made: never sign with a nonce that does not match.
    const matches = bytesEqual(commitments.hiding, hiding) && bytesEqual(commitments.binding, binding);
    return written.then(() => (matches ? nonces : undefined));
  }
}
