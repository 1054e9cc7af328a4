/** @module AuditLog: the append-only, hash-chained, fsync'd WORM log file (one canonical JSON record per line). */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from "node:fs";
import { BaseError, ErrorCode } from "../../common/errors.js";
import { type AuditData, type AuditKind, type AuditRecord, encodeRecord, GENESIS_HASH, makeRecord } from "./record.js";
import { verifyChain } from "./verify.js";

/**
 * Opened in append mode and never rewritten: each `append` writes whole lines and fsyncs before it
 * returns, so an acknowledged record survives a crash. Opening checks the existing chain and refuses a
 * broken one (a torn last line from a crash included) — the operator must look before anything is added.
 */
export class AuditLog {
  readonly path: string;
  private fd: number;
  private last: { seq: bigint; hash: string };
  private readonly now: () => number;

  private constructor(path: string, fd: number, last: { seq: bigint; hash: string }, now: () => number) {
    this.path = path;
    this.fd = fd;
    this.last = last;
    this.now = now;
  }

  static open(path: string, options: { now?: () => number } = {}): AuditLog {
    let last = { seq: 0n, hash: GENESIS_HASH };
    if (existsSync(path)) {
      const check = verifyChain(readFileSync(path, "utf8"));
      if (!check.ok)
        throw new BaseError(ErrorCode.Integrity, `audit log ${path} is damaged: ${check.firstMismatch}`, {
          details: "run `dsdn-node audit verify` and keep the file for inspection; nothing was appended",
        });
      const tail = check.records.at(-1);
      if (tail) last = { seq: tail.seq, hash: tail.hash };
    }
    const fd = openSync(path, "a", 0o600);
    return new AuditLog(path, fd, last, options.now ?? Date.now);
  }

  get lastSeq(): bigint {
    return this.last.seq;
  }

  get lastHash(): string {
    return this.last.hash;
  }

  /** Appends one record durably (write + fsync) and returns it. */
  append(kind: AuditKind, data: AuditData): AuditRecord {
    return this.appendMany([{ kind, data }])[0]!;
  }

  /** Appends several records with one fsync. */
  appendMany(items: readonly { kind: AuditKind; data: AuditData }[]): AuditRecord[] {
    if (this.fd < 0) throw new BaseError(ErrorCode.Unavailable, "audit log is closed");
    const at = this.now();
    let prev = this.last;
    const records = items.map((i) => {
      const r = makeRecord(prev, at, i.kind, i.data);
      prev = { seq: r.seq, hash: r.hash };
      return r;
    });
    const text = records.map((r) => `${encodeRecord(r)}\n`).join("");
    writeSync(this.fd, text);
    fsyncSync(this.fd);
    this.last = prev;
    return records;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
