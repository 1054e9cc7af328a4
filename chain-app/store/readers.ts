/** @module KVReaders over the SQLite state: the latest committed values, and values at a retained past height. */
import type Database from "better-sqlite3";
import { asU8, checkKey, keyString } from "./bytes.js";
import type { IterateRange, KVReader } from "./types.js";

/** Rows fetched per page while iterating: no SQLite cursor stays open between yields. */
const PAGE = 256;
/** Committed values kept in memory by LatestReader before the cache starts over (params, hot accounts). */
const READ_CACHE_ENTRIES = 50_000;

interface Row {
  key: Uint8Array;
  value: Uint8Array;
}

/** Successor of a key in unsigned order (key ‖ 0x00): lets every page use an inclusive lower bound. */
function after(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key);
  return out;
}

const NO_START = new Uint8Array(0);

type FetchPage = (start: Uint8Array, end: Uint8Array | undefined, reverse: boolean) => Row[];

/** Pages through `fetch` so callers may read and write the database between yields; bounds follow the KVReader contract. */
function* pagedIterate(fetch: FetchPage, range: IterateRange | undefined): IterableIterator<[Uint8Array, Uint8Array]> {
  let start = range?.start ?? NO_START;
  let end = range?.end;
  if (end !== undefined && Buffer.compare(start, end) >= 0) return;
  const reverse = range?.reverse === true;
  for (;;) {
    const rows = fetch(start, end, reverse);
    for (const r of rows) yield [asU8(r.key), asU8(r.value)];
    if (rows.length < PAGE) return;
    const last = (rows[rows.length - 1] as Row).key;
    if (reverse) end = last;
    else start = after(last);
  }
}

interface RangeStatements {
  fwd: Database.Statement;
  fwdEnd: Database.Statement;
  rev: Database.Statement;
  revEnd: Database.Statement;
}

function pick(s: RangeStatements, end: Uint8Array | undefined, reverse: boolean): Database.Statement {
  if (reverse) return end === undefined ? s.rev : s.revEnd;
  return end === undefined ? s.fwd : s.fwdEnd;
}

/**
 * The latest committed state: a read is one lookup on the `latest` primary key, remembered until a
 * commit writes that key (ChainStore.commit calls `forget`), so params and hot accounts read by every
 * tx cost a Map lookup. Callers get a copy each time: a caller that mutated a returned array would
 * otherwise change what later reads see.
 */
export class LatestReader implements KVReader {
  /** Key string → committed value, or null when the key is absent. */
  readonly #cache = new Map<string, Uint8Array | null>();
  readonly #get: Database.Statement;
  readonly #getRow: Database.Statement;
  readonly #iter: RangeStatements;

  constructor(db: Database.Database) {
    this.#get = db.prepare("SELECT value FROM latest WHERE key = ?").pluck();
    this.#getRow = db.prepare("SELECT value, since FROM latest WHERE key = ?");
    const base = "SELECT key, value FROM latest WHERE key >= @start";
    this.#iter = {
      fwd: db.prepare(`${base} ORDER BY key LIMIT @limit`),
      fwdEnd: db.prepare(`${base} AND key < @end ORDER BY key LIMIT @limit`),
      rev: db.prepare(`${base} ORDER BY key DESC LIMIT @limit`),
      revEnd: db.prepare(`${base} AND key < @end ORDER BY key DESC LIMIT @limit`),
    };
  }

  get(key: Uint8Array): Uint8Array | undefined {
    checkKey(key);
    return this.getKeyed(key, keyString(key));
  }

  /** `get` for a caller that already checked the key and holds its key string (BranchStore's read walk). */
  getKeyed(key: Uint8Array, k: string): Uint8Array | undefined {
    const v = this.#remembered(key, k);
    return v === null ? undefined : v.slice();
  }

  has(key: Uint8Array): boolean {
    checkKey(key);
    return this.hasKeyed(key, keyString(key));
  }

  /**
   * Remembers absence as `get` does: an absent key is asked about again and again (MsgSend's
   * wallet-affinity check asks whether a pair was seen) and was one SQLite lookup each time.
   */
  hasKeyed(key: Uint8Array, k: string): boolean {
    return this.#remembered(key, k) !== null;
  }

  /** The committed value (the cache's own copy, never handed out) or null when absent. */
  #remembered(key: Uint8Array, k: string): Uint8Array | null {
    const hit = this.#cache.get(k);
    if (hit !== undefined) return hit;
    const v = this.#get.get(key) as Uint8Array | undefined;
    if (this.#cache.size >= READ_CACHE_ENTRIES) this.#cache.clear();
    // SQLite hands back a fresh buffer: the cache keeps it, callers get copies.
    const own = v === undefined ? null : asU8(v);
    this.#cache.set(k, own);
    return own;
  }

  /** Drops remembered values of keys a commit is about to write or delete. */
  forget(keys: Iterable<Uint8Array>): void {
    for (const key of keys) this.#cache.delete(keyString(key));
  }

  /** Value with the height it was written at (used to record history when it is replaced). */
  getRow(key: Uint8Array): { value: Uint8Array; since: number } | undefined {
    return this.#getRow.get(key) as { value: Uint8Array; since: number } | undefined;
  }

  iterate(range?: IterateRange): IterableIterator<[Uint8Array, Uint8Array]> {
    return pagedIterate(
      (start, end, reverse) =>
        pick(this.#iter, end, reverse).all(
          end === undefined ? { start, limit: PAGE } : { start, end, limit: PAGE },
        ) as Row[],
      range,
    );
  }
}

/**
 * State as of height h: a value held at h is either the latest one (written at since ≤ h), or a
 * replaced one in `history` with since ≤ h < until. The two never overlap for one key.
 */
export class HistoryQueries {
  readonly #histGet: Database.Statement;
  readonly #latestGet: Database.Statement;
  readonly #iter: RangeStatements;

  constructor(db: Database.Database) {
    this.#histGet = db.prepare("SELECT since, value FROM history WHERE key = ? AND until > ? ORDER BY until LIMIT 1");
    this.#latestGet = db.prepare("SELECT since, value FROM latest WHERE key = ?");
    const union = (cond: string, order: string) =>
      `SELECT key, value FROM (
         SELECT key, value FROM latest WHERE key >= @start ${cond} AND since <= @h
         UNION ALL
         SELECT key, value FROM history WHERE key >= @start ${cond} AND since <= @h AND until > @h
       ) ORDER BY key ${order} LIMIT @limit`;
    this.#iter = {
      fwd: db.prepare(union("", "ASC")),
      fwdEnd: db.prepare(union("AND key < @end", "ASC")),
      rev: db.prepare(union("", "DESC")),
      revEnd: db.prepare(union("AND key < @end", "DESC")),
    };
  }

  get(key: Uint8Array, h: number): Uint8Array | undefined {
    checkKey(key);
    const old = this.#histGet.get(key, h) as { since: number; value: Uint8Array } | undefined;
    if (old !== undefined) return old.since <= h ? asU8(old.value) : undefined;
    const cur = this.#latestGet.get(key) as { since: number; value: Uint8Array } | undefined;
    return cur !== undefined && cur.since <= h ? asU8(cur.value) : undefined;
  }

  iterate(range: IterateRange | undefined, h: number): IterableIterator<[Uint8Array, Uint8Array]> {
    return pagedIterate(
      (start, end, reverse) =>
        pick(this.#iter, end, reverse).all(
          end === undefined ? { start, h, limit: PAGE } : { start, end, h, limit: PAGE },
        ) as Row[],
      range,
    );
  }
}
