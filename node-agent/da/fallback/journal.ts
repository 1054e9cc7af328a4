/** @module The router's durable journal of blobs written to a fallback layer, kept until the primary has them. */
import type Database from "better-sqlite3";
import { BaseError, ErrorCode } from "../../../common/errors.js";
import { openExclusiveDb } from "../exclusiveDb.js";
import type { BlobRef, DALayerName } from "../types.js";

export type JournalStatus = "pending" | "posting";

export interface JournalEntry {
  readonly id: bigint;
  readonly layer: DALayerName;
  readonly height: bigint;
  readonly commitment: Uint8Array;
  readonly data: Uint8Array;
  readonly status: JournalStatus;
  /** Primary head when a repost began: after a crash, heights above it are searched for the blob. */
  readonly attemptHead: bigint;
}

/**
 * SQLite (WAL, synchronous=FULL). A blob is journaled right after its fallback layer included it and
 * leaves only once the primary included it too, so an outage of any length loses nothing; `id` order is
 * the original posting order that reconciliation keeps. `posting` marks a repost in flight: after a crash
 * the router looks for the blob on the primary before posting it again (no duplicate on the primary).
 */
export class FallbackJournal {
  private readonly db: Database.Database;
  private readonly maxBytes: number;

  private constructor(db: Database.Database, maxBytes: number) {
    this.db = db;
    this.maxBytes = maxBytes;
  }

  static open(path: string, options: { maxBytes?: number } = {}): FallbackJournal {
    const db = openExclusiveDb(
      path,
      "DA fallback journal",
      `CREATE TABLE IF NOT EXISTS blobs (
         id INTEGER PRIMARY KEY AUTOINCREMENT, layer TEXT NOT NULL, height TEXT NOT NULL,
         commitment BLOB NOT NULL, data BLOB NOT NULL, status TEXT NOT NULL DEFAULT 'pending',
         attempt_head TEXT NOT NULL DEFAULT '0');
       CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
    );
    // Default bound: 1 GiB of blobs waiting for the primary; beyond it fallback posts are refused (the
    // publisher's outbox keeps the events) rather than filling the disk.
    return new FallbackJournal(db, options.maxBytes ?? 1 << 30);
  }

  /** Records a blob a fallback layer included. Refuses (TooLarge) past the byte bound. */
  add(ref: BlobRef, data: Uint8Array): bigint {
    if (this.pendingBytes() + data.length > this.maxBytes)
      throw new BaseError(
        ErrorCode.TooLarge,
        `DA fallback journal is full (${this.maxBytes} bytes waiting for the primary)`,
      );
    const r = this.db
      .prepare("INSERT INTO blobs (layer, height, commitment, data) VALUES (?, ?, ?, ?)")
      .run(ref.layer, ref.height.toString(), Buffer.from(ref.commitment), Buffer.from(data));
    return BigInt(r.lastInsertRowid);
  }

  /** Oldest entries first (the original posting order). */
  pending(limit = 1000): JournalEntry[] {
    const rows = this.db
      .prepare("SELECT id, layer, height, commitment, data, status, attempt_head FROM blobs ORDER BY id LIMIT ?")
      .all(limit) as {
      id: bigint;
      layer: string;
      height: string;
      commitment: Buffer;
      data: Buffer;
      status: string;
      attempt_head: string;
    }[];
    return rows.map((r) => ({
      id: BigInt(r.id),
      layer: r.layer as DALayerName,
      height: BigInt(r.height),
      commitment: new Uint8Array(r.commitment),
      data: new Uint8Array(r.data),
      status: r.status as JournalStatus,
      attemptHead: BigInt(r.attempt_head),
    }));
  }

  count(): number {
    return Number((this.db.prepare("SELECT COUNT(*) AS n FROM blobs").get() as { n: bigint }).n);
  }

  pendingBytes(): number {
    return Number((this.db.prepare("SELECT COALESCE(SUM(LENGTH(data)), 0) AS b FROM blobs").get() as { b: bigint }).b);
  }

  /** Marks a repost as started, durably, before the primary is asked. */
  markPosting(id: bigint, primaryHead: bigint): void {
    this.db
      .prepare("UPDATE blobs SET status = 'posting', attempt_head = ? WHERE id = ?")
      .run(primaryHead.toString(), id);
  }

  /** The primary included the blob: it leaves the journal; the count of reconciled blobs grows. */
  markReconciled(id: bigint): void {
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM blobs WHERE id = ?").run(id);
      const n = BigInt(this.meta("reconciled") ?? "0") + 1n;
      this.db
        .prepare(
          "INSERT INTO meta (key, value) VALUES ('reconciled', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )
        .run(n.toString());
    })();
  }

  reconciledTotal(): bigint {
    return BigInt(this.meta("reconciled") ?? "0");
  }

  private meta(key: string): string | undefined {
    return (this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined)?.value;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
