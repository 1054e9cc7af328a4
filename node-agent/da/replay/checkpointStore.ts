/** @module Replay checkpoints on disk: atomic streamed writes (format 3), newest-valid-first loading, corrupt files skipped. */

import {
  closeSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { IntegrityError } from "../../../common/errors.js";
import { bytesEqual, concatBytes, sha256Native } from "../../../common/hash.js";
import { ReplayCheckpoint } from "../../../proto/gen/dsdn/da/v1/state.js";
import { type CompactReadOptions, isCompactCheckpoint, readCompactCheckpoint } from "./compactCheckpointReader.js";
import { writeCompactCheckpoint } from "./compactCheckpointWriter.js";
import type { ReplayConfig } from "./config.js";
import { ReplayMachine } from "./machine.js";

/** Format 2 file layout (still read): "DSDNCKP1" || ReplayCheckpoint protobuf || sha256(everything before). */
const FILE_MAGIC = new TextEncoder().encode("DSDNCKP1");
const NAME = /^checkpoint-(\d{20})\.bin$/;

export interface CheckpointStoreOptions {
  /** How many checkpoints to keep (newest first); older ones are deleted after each write. Default 3. */
  readonly keep?: number;
}

export interface SkippedCheckpoint {
  readonly path: string;
  readonly reason: string;
}

export interface CheckpointLoad {
  /** The restored machine, or undefined when no checkpoint is usable (start from the first height). */
  readonly loaded?: { readonly machine: ReplayMachine; readonly path: string; readonly height: bigint };
  /** Newer checkpoints that were refused (corrupt, built under other rules), newest first. */
  readonly skipped: readonly SkippedCheckpoint[];
}

/** File bytes around a ReplayCheckpoint (an object, or its protobuf bytes from `machine.encodeCheckpoint()`). */
export function encodeCheckpointFile(cp: ReplayCheckpoint | Uint8Array): Uint8Array {
  const body = concatBytes(FILE_MAGIC, cp instanceof Uint8Array ? cp : ReplayCheckpoint.encode(cp).finish());
  return concatBytes(body, sha256Native(body));
}

/** Checks magic and checksum; returns the ReplayCheckpoint protobuf bytes. */
export function readCheckpointFile(bytes: Uint8Array): Uint8Array {
  if (bytes.length < FILE_MAGIC.length + 32 || !bytesEqual(bytes.subarray(0, FILE_MAGIC.length), FILE_MAGIC)) {
    throw new IntegrityError("not a DSDN replay checkpoint file");
  }
  const body = bytes.subarray(0, bytes.length - 32);
  if (!bytesEqual(sha256Native(body), bytes.subarray(bytes.length - 32))) {
    throw new IntegrityError("checkpoint file checksum mismatch (truncated or corrupted)");
  }
  return body.subarray(FILE_MAGIC.length);
}

export function decodeCheckpointFile(bytes: Uint8Array): ReplayCheckpoint {
  const body = readCheckpointFile(bytes);
  try {
    return ReplayCheckpoint.decode(body);
  } catch (e) {
    throw new IntegrityError("checkpoint file does not decode", { cause: e });
  }
}

export class CheckpointStore {
  readonly dir: string;
  private readonly keep: number;

  constructor(dir: string, options: CheckpointStoreOptions = {}) {
    this.dir = dir;
    this.keep = Math.max(1, options.keep ?? 3);
    mkdirSync(dir, { recursive: true });
  }

  /** Checkpoint files, newest height first. */
  list(): { path: string; height: bigint }[] {
    return readdirSync(this.dir)
      .flatMap((f) => {
        const m = NAME.exec(f);
        return m ? [{ path: join(this.dir, f), height: BigInt(m[1]!) }] : [];
      })
      .sort((a, b) => (a.height > b.height ? -1 : a.height < b.height ? 1 : 0));
  }

  /**
   * Writes the checkpoint in format 3 (compact, streamed) to a temp file → fsync → rename → fsync dir, so a crash
   * leaves either the old set or the new file whole.
   */
  write(machine: ReplayMachine): string {
    const height = machine.height;
    const name = `checkpoint-${height.toString().padStart(20, "0")}.bin`;
    const final = join(this.dir, name);
    const tmp = join(this.dir, `.${name}.${process.pid}.tmp`);
    const fd = openSync(tmp, "w");
    try {
      writeCompactCheckpoint(machine, (piece) => {
        let off = 0;
        while (off < piece.length) off += writeSync(fd, piece, off);
      });
      fsyncSync(fd);
    } catch (e) {
      closeSync(fd);
      try {
        unlinkSync(tmp);
      } catch {}
      throw e;
    }
    closeSync(fd);
    renameSync(tmp, final);
    const dfd = openSync(this.dir, "r");
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
    for (const old of this.list().slice(this.keep)) {
      try {
        unlinkSync(old.path);
      } catch {}
    }
    return final;
  }

  /** The newest checkpoint that is intact and built under `config` (format 3, or format 2 written by older builds). */
  loadLatest(config: ReplayConfig, options: CompactReadOptions = {}): CheckpointLoad {
    const skipped: SkippedCheckpoint[] = [];
    for (const { path, height } of this.list()) {
      try {
        const machine = loadCheckpointFile(path, config, options);
        if (machine.height !== height)
          throw new IntegrityError(`file name says height ${height}, content ${machine.height}`);
        return { loaded: { machine, path, height }, skipped };
      } catch (e) {
        skipped.push({ path, reason: (e as Error).message.split("\n")[0] ?? String(e) });
      }
    }
    return { skipped };
  }
}

/** Restores a machine from one checkpoint file: format 3 read as a stream, format 2 (protobuf) read whole. */
export function loadCheckpointFile(
  path: string,
  config: ReplayConfig,
  options: CompactReadOptions = {},
): ReplayMachine {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(8);
    readSync(fd, head, 0, head.length, 0);
    if (isCompactCheckpoint(head)) {
      return readCompactCheckpoint(
        { size, read: (into, offset, length, position) => readSync(fd, into, offset, length, position) },
        config,
        options,
      );
    }
    return ReplayMachine.decodeCheckpoint(readCheckpointFile(new Uint8Array(readFileSync(fd))), config);
  } finally {
    closeSync(fd);
  }
}
