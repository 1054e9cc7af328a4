/** @module Crash-safe small-file writes: temp file → fsync → rename (or no-clobber link) → fsync of the directory. */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { BaseError, ErrorCode } from "./errors.js";

export interface AtomicWriteOptions {
  /** File mode, set at creation so the bytes are never readable by anyone else (default 0600). */
  readonly mode?: number;
  /** Refuse (Conflict) instead of replacing an existing file; the check and the write are one step. */
  readonly noClobber?: boolean;
}

function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * After this returns, `path` holds exactly `data` even across a power cut; a crash before that
 * leaves the old file (or none) and at worst a stray `.<name>.*.tmp` beside it, never a torn file.
 */
export function writeFileAtomicSync(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const fd = openSync(tmp, "wx", options.mode ?? 0o600);
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  try {
    if (options.noClobber) {
      try {
        linkSync(tmp, path); // fails with EEXIST instead of replacing, unlike rename
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EEXIST")
          throw new BaseError(ErrorCode.Conflict, `${path} already exists`, { cause: e });
        throw e;
      }
      unlinkSync(tmp);
    } else renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already renamed or gone
    }
    throw e;
  }
  fsyncPath(dir);
}
