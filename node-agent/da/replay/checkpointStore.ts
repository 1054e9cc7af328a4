/** @module Replay checkpoints on disk: atomic writes, newest-valid-first loading, corrupt files skipped. */

import { createHash } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { IntegrityError } from "../../../common/errors.js";
import { bytesEqual, concatBytes, sha256Native } from "../../../common/hash.js";
import { ReplayCheckpoint } from "../../../proto/gen/dsdn/da/v1/state.js";
import type { ReplayConfig } from "./config.js";
import { ReplayMachine } from "./machine.js";

/** File layout: "DSDNCKP1" || ReplayCheckpoint protobuf || sha256(everything before). */
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

  /** Writes temp → fsync → rename → fsync dir, so a crash leaves either the old set or the new file whole. */
  write(machine: ReplayMachine): string {
    const height = machine.height;
    const name = `checkpoint-${height.toString().padStart(20, "0")}.bin`;
    const final = join(this.dir, name);
    const tmp = join(this.dir, `.${name}.${process.pid}.tmp`);
    const fd = openSync(tmp, "w");
    try {
      // Same bytes as encodeCheckpointFile(), streamed: magic, checkpoint pieces, then the checksum of both.
      const hash = createHash("sha256");
      const put = (piece: Uint8Array) => {
        hash.update(piece);
        let off = 0;
        while (off < piece.length) off += writeSync(fd, piece, off);
      };
      put(FILE_MAGIC);
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      for (const piece of machine.encodeCheckpointParts()) {
        pending.push(piece);
        pendingBytes += piece.length;
        if (pendingBytes >= 1 << 20) {
          put(concatBytes(...pending));
          pending = [];
          pendingBytes = 0;
        }
      }
      if (pending.length) put(concatBytes(...pending));
      const sum = new Uint8Array(hash.digest());
      writeSync(fd, sum);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
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

  /** The newest checkpoint that is intact and built under `config`. */
  loadLatest(config: ReplayConfig): CheckpointLoad {
    const skipped: SkippedCheckpoint[] = [];
    for (const { path, height } of this.list()) {
      try {
        const machine = ReplayMachine.decodeCheckpoint(readCheckpointFile(new Uint8Array(readFileSync(path))), config);
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
