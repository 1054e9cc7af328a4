/** @module The publisher's durable outbox: numbered envelopes (sealed per batch when posted) in SQLite (WAL, synchronous=FULL) until DA has them. */
import type Database from "better-sqlite3";
import { BaseError, ErrorCode } from "../../../common/errors.js";
import { openExclusiveDb } from "../exclusiveDb.js";

export interface OutboxEntry {
  readonly sequence: bigint;
  readonly envelope: Uint8Array;
}

/**
 * One outbox per publisher key. Rows are appended in sequence order and deleted only after the blob that
 * carries them is included, so a crash at any point loses nothing; at worst a batch is posted twice and
 * replay drops the copy by its sequence numbers.
 */
export class EventOutbox {
  private readonly db: Database.Database;
  private readonly stmts: {
    insert: Database.Statement;
    setMeta: Database.Statement;
    getMeta: Database.Statement;
    peek: Database.Statement;
    deleteThrough: Database.Statement;
    count: Database.Statement;
  };

  private constructor(db: Database.Database) {
    this.db = db;
    this.stmts = {
      insert: db.prepare("INSERT INTO outbox (seq, envelope) VALUES (?, ?)"),
      setMeta: db.prepare(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      ),
      getMeta: db.prepare("SELECT value FROM meta WHERE key = ?"),
      peek: db.prepare("SELECT seq, envelope FROM outbox ORDER BY seq LIMIT ?"),
      deleteThrough: db.prepare("DELETE FROM outbox WHERE seq <= ?"),
      count: db.prepare("SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(envelope)), 0) AS bytes FROM outbox"),
    };
  }

  /** Opens (creating) the outbox at `path` for `publisherHex`; refuses an outbox made for another key. */
  static open(path: string, publisherHex: string): EventOutbox {
    // One process per outbox: a second publisher with the same key would reuse sequence numbers.
    const db = openExclusiveDb(
      path,
      "DA outbox",
      `CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY, envelope BLOB NOT NULL);
       CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
    );
    const box = new EventOutbox(db);
    const owner = box.meta("publisher");
    if (owner === undefined) box.stmts.setMeta.run("publisher", publisherHex);
    else if (owner !== publisherHex) {
      db.close();
      throw new BaseError(
        ErrorCode.Conflict,
        `DA outbox ${path} belongs to publisher ${owner.slice(0, 16)}…, not ${publisherHex.slice(0, 16)}…`,
      );
    }
    return box;
  }

  private meta(key: string): string | undefined {
    const row = this.stmts.getMeta.get(key) as { value: string } | undefined;
    return row?.value;
  }

  /** Highest sequence ever assigned by this outbox (posted or not). */
  lastSequence(): bigint {
    return BigInt(this.meta("last_sequence") ?? "0");
  }

  /** Highest sequence known to be included on DA. */
  postedThrough(): bigint {
    return BigInt(this.meta("posted_through") ?? "0");
  }

  /** Raises the sequence floor (e.g. to what replay shows this key already published). */
  reserveThrough(sequence: bigint): void {
    if (sequence > this.lastSequence()) this.stmts.setMeta.run("last_sequence", sequence.toString());
  }

  /** Highest observed height stamped on any event so far; later events never go below it. */
  observedHeight(): bigint {
    return BigInt(this.meta("observed_height") ?? "0");
  }

  /** Appends envelopes (already signed with consecutive sequences) in one durable transaction. */
  append(entries: readonly OutboxEntry[], observedHeight: bigint): void {
    if (entries.length === 0) return;
    this.db.transaction(() => {
      if (observedHeight > this.observedHeight()) this.stmts.setMeta.run("observed_height", observedHeight.toString());
      let last = this.lastSequence();
      for (const e of entries) {
        if (e.sequence !== last + 1n)
          throw new BaseError(ErrorCode.Internal, `outbox sequence ${e.sequence} after ${last}`);
        this.stmts.insert.run(e.sequence, Buffer.from(e.envelope));
        last = e.sequence;
      }
      this.stmts.setMeta.run("last_sequence", last.toString());
    })();
  }

  /** The oldest entries, in sequence order. */
  peek(limit: number): OutboxEntry[] {
    return (this.stmts.peek.all(limit) as { seq: bigint; envelope: Buffer }[]).map((r) => ({
      sequence: BigInt(r.seq),
      envelope: new Uint8Array(r.envelope),
    }));
  }

  /** Drops entries through `sequence` once DA has included them. */
  markPosted(sequence: bigint): void {
    this.db.transaction(() => {
      this.stmts.deleteThrough.run(sequence);
      if (sequence > this.postedThrough()) this.stmts.setMeta.run("posted_through", sequence.toString());
    })();
  }

  size(): { events: number; bytes: number } {
    const row = this.stmts.count.get() as { n: bigint; bytes: bigint };
    return { events: Number(row.n), bytes: Number(row.bytes) };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
