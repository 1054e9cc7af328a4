/** @module AuditMirror: posts the audit log's new records to DA in signed batches and remembers how far it got. */
import { existsSync, readFileSync } from "node:fs";
import { writeFileAtomicSync } from "../../common/atomicFile.js";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { BaseError, ErrorCode } from "../../common/errors.js";
import type { BlobRef, DALayer } from "../da/types.js";
import { encodeMirrorBlob } from "./mirrorBlob.js";
import { encodeRecord } from "./record.js";
import { verifyChain } from "./verify.js";

export interface AuditMirrorOptions {
  readonly logPath: string;
  readonly da: DALayer;
  /** The writer's ed25519 seed; its public key is what `audit verify --writer` checks. */
  readonly secretKey: Uint8Array;
  /** Records per blob (default 500) and bytes per blob (default 256 KiB). */
  readonly maxBatchRecords?: number;
  readonly maxBatchBytes?: number;
}

export interface MirrorState {
  /** Highest sequence known to be on DA. */
  readonly through: string;
  /** Lowest DA height a batch landed at: where `verify` starts reading. */
  readonly firstHeight?: string;
}

/**
 * Progress lives in `<log>.mirror.json` (written atomically after each included blob). A crash between
 * inclusion and that write re-posts a batch; verification takes the first copy of each sequence, and a
 * duplicate copy must be byte-identical to count, so re-posting is harmless.
 */
export class AuditMirror {
  readonly writer: Uint8Array;
  private readonly opts: AuditMirrorOptions;
  private readonly statePath: string;

  constructor(options: AuditMirrorOptions) {
    this.opts = options;
    this.writer = ed25519KeyPair(options.secretKey).publicKey;
    this.statePath = `${options.logPath}.mirror.json`;
  }

  state(): MirrorState {
    if (!existsSync(this.statePath)) return { through: "0" };
    return JSON.parse(readFileSync(this.statePath, "utf8")) as MirrorState;
  }

  /** Posts every record not yet mirrored; returns the refs of the blobs posted. Stops at the first DA error. */
  async mirrorNow(): Promise<BlobRef[]> {
    const text = existsSync(this.opts.logPath) ? readFileSync(this.opts.logPath, "utf8") : "";
    const check = verifyChain(text);
    if (!check.ok)
      throw new BaseError(ErrorCode.Integrity, `audit log is damaged, not mirroring it: ${check.firstMismatch}`);
    let st = this.state();
    const todo = check.records.filter((r) => r.seq > BigInt(st.through));
    const maxRecords = this.opts.maxBatchRecords ?? 500;
    const maxBytes = this.opts.maxBatchBytes ?? 256 * 1024;
    const refs: BlobRef[] = [];
    let i = 0;
    while (i < todo.length) {
      const lines: string[] = [];
      let bytes = 0;
      while (i < todo.length && lines.length < maxRecords) {
        const line = encodeRecord(todo[i]!);
        if (lines.length > 0 && bytes + line.length > maxBytes) break;
        lines.push(line);
        bytes += line.length;
        i++;
      }
      const ref = await this.opts.da.postBlob(encodeMirrorBlob(lines, this.writer, this.opts.secretKey));
      refs.push(ref);
      const first =
        st.firstHeight === undefined || ref.height < BigInt(st.firstHeight) ? ref.height : BigInt(st.firstHeight);
      st = { through: todo[i - 1]!.seq.toString(), firstHeight: first.toString() };
      writeFileAtomicSync(this.statePath, JSON.stringify(st));
    }
    return refs;
  }
}
