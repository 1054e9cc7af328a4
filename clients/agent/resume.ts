/**
 * @module Resumable encrypted uploads. Re-running an interrupted `--encrypt` upload must produce the same
 * ciphertext (or nothing already sent is reusable), so the key, file id and nonce prefix are kept in
 * `$DSDN_HOME/keys/pending/`. AES-GCM must never show two different ciphertexts under one nonce, so each
 * chunk's ciphertext CID is recorded durably before it is sent, and a resumed run sends a chunk only when
 * its CID matches the record (the plaintext is then provably the same).
 */
import { createHash } from "node:crypto";
import { open, readFile, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fromHex, toHex } from "../../common/hash.js";
import { privateDir, writePrivateFile } from "../../common/privateFile.js";

const PENDING_FORMAT = "dsdn-pending-upload/v1";

export interface PendingIdentity {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly chunkSize: number;
}

export interface PendingState {
  readonly keyId: Uint8Array;
  readonly fileId: Uint8Array;
  readonly noncePrefix: Uint8Array;
  /** Ciphertext CID per chunk index already sealed (and possibly sent) under this key. */
  readonly sealed: Map<number, string>;
}

export class PendingUpload {
  private readonly base: string;
  private constructor(
    private readonly dir: string,
    id: string,
  ) {
    this.base = join(dir, id);
  }

  static for(home: string, ident: PendingIdentity): PendingUpload {
    const id = createHash("sha256").update(resolve(ident.path)).digest("hex").slice(0, 32);
    return new PendingUpload(join(home, "keys", "pending"), id);
  }

  /** The saved state when it describes this very file (same size, mtime and chunk size), else null. */
  async load(ident: PendingIdentity): Promise<PendingState | null> {
    let head: Record<string, unknown>;
    try {
      head = JSON.parse(await readFile(`${this.base}.json`, "utf8"));
    } catch {
      return null;
    }
    if (
      head.format !== PENDING_FORMAT ||
      head.path !== resolve(ident.path) ||
      head.size !== ident.size ||
      head.mtimeMs !== ident.mtimeMs ||
      head.chunkSize !== ident.chunkSize
    ) {
      return null;
    }
    const sealed = new Map<number, string>();
    const lines = await readFile(`${this.base}.chunks`, "utf8").catch(() => "");
    for (const line of lines.split("\n")) {
      const [i, h] = line.split(" ");
      if (i && h) sealed.set(Number(i), h);
    }
    return {
      keyId: fromHex(String(head.keyId)),
      fileId: fromHex(String(head.fileId)),
      noncePrefix: fromHex(String(head.noncePrefix)),
      sealed,
    };
  }

  async start(ident: PendingIdentity, s: Omit<PendingState, "sealed">): Promise<void> {
    await privateDir(this.dir);
    await rm(`${this.base}.chunks`, { force: true });
    await writePrivateFile(
      `${this.base}.json`,
      JSON.stringify({
        format: PENDING_FORMAT,
        path: resolve(ident.path),
        size: ident.size,
        mtimeMs: ident.mtimeMs,
        chunkSize: ident.chunkSize,
        keyId: toHex(s.keyId),
        fileId: toHex(s.fileId),
        noncePrefix: toHex(s.noncePrefix),
      }),
    );
  }

  /** Durably notes that chunk `index` sealed to `cid` is about to be sent. */
  async record(index: number, cid: string): Promise<void> {
    const fh = await open(`${this.base}.chunks`, "a", 0o600);
    try {
      await fh.write(`${index} ${cid}\n`);
      await fh.datasync();
    } finally {
      await fh.close();
    }
  }

  async clear(): Promise<void> {
    await rm(`${this.base}.json`, { force: true });
    await rm(`${this.base}.chunks`, { force: true });
  }
}
