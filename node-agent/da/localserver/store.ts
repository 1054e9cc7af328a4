/** @module SQLite persistence for the local DA server: one row per height, one per blob. */
import Database from "better-sqlite3";

export interface StoredHeader {
  readonly height: number;
  readonly time: string;
  readonly hash: Uint8Array;
  readonly lastHash: Uint8Array;
  readonly dataHash: Uint8Array;
  readonly rowRoots: readonly Uint8Array[];
  readonly columnRoots: readonly Uint8Array[];
}

export interface StoredBlob {
  readonly height: number;
  /** Position within the height (namespace order, then submission order). */
  readonly idx: number;
  readonly namespace: Uint8Array;
  readonly data: Uint8Array;
  readonly shareVersion: number;
  readonly commitment: Uint8Array;
  readonly signer: Uint8Array | null;
  /** Index of the blob's first share in the (original) square. */
  readonly shareIndex: number;
}

interface HeaderRow {
  height: number;
  time: string;
  hash: Buffer;
  last_hash: Buffer;
  data_hash: Buffer;
  row_roots: Buffer;
  column_roots: Buffer;
}
interface BlobRow {
  height: number;
  idx: number;
  namespace: Buffer;
  data: Buffer;
  share_version: number;
  commitment: Buffer;
  signer: Buffer | null;
  share_index: number;
}

const ROOT_SIZE = 90;
const packRoots = (roots: readonly Uint8Array[]) => Buffer.concat(roots.map((r) => Buffer.from(r)));
const unpackRoots = (b: Buffer) => {
  const out: Uint8Array[] = [];
  for (let o = 0; o < b.length; o += ROOT_SIZE) out.push(new Uint8Array(b.subarray(o, o + ROOT_SIZE)));
  return out;
};
const u8 = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

export class LocalDAStore {
  private readonly db: Database.Database;
  private readonly stmts;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS headers (
        height INTEGER PRIMARY KEY, time TEXT NOT NULL, hash BLOB NOT NULL, last_hash BLOB NOT NULL,
        data_hash BLOB NOT NULL, row_roots BLOB NOT NULL, column_roots BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS blobs (
        height INTEGER NOT NULL, idx INTEGER NOT NULL, namespace BLOB NOT NULL, data BLOB NOT NULL,
        share_version INTEGER NOT NULL, commitment BLOB NOT NULL, signer BLOB, share_index INTEGER NOT NULL,
        PRIMARY KEY (height, idx));
      CREATE INDEX IF NOT EXISTS blobs_by_ns ON blobs (height, namespace);
    `);
    this.stmts = {
      head: this.db.prepare("SELECT MAX(height) AS h FROM headers"),
      header: this.db.prepare("SELECT * FROM headers WHERE height = ?"),
      insertHeader: this.db.prepare(
        "INSERT INTO headers (height, time, hash, last_hash, data_hash, row_roots, column_roots) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      insertBlob: this.db.prepare(
        "INSERT INTO blobs (height, idx, namespace, data, share_version, commitment, signer, share_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      blobsAt: this.db.prepare("SELECT * FROM blobs WHERE height = ? AND namespace = ? ORDER BY idx"),
      allAt: this.db.prepare("SELECT * FROM blobs WHERE height = ? ORDER BY idx"),
      blobByCommitment: this.db.prepare("SELECT * FROM blobs WHERE height = ? AND namespace = ? AND commitment = ?"),
    };
  }

  head(): number {
    return ((this.stmts.head.get() as { h: number | null }).h ?? 0) as number;
  }

  header(height: number): StoredHeader | undefined {
    const r = this.stmts.header.get(height) as HeaderRow | undefined;
    if (!r) return undefined;
    return {
      height: r.height,
      time: r.time,
      hash: u8(r.hash),
      lastHash: u8(r.last_hash),
      dataHash: u8(r.data_hash),
      rowRoots: unpackRoots(r.row_roots),
      columnRoots: unpackRoots(r.column_roots),
    };
  }

  /** Writes a height and its blobs in one transaction, so a crash never leaves half a block. */
  appendBlock(header: StoredHeader, blobs: readonly StoredBlob[]): void {
    this.db.transaction(() => {
      this.stmts.insertHeader.run(
        header.height,
        header.time,
        Buffer.from(header.hash),
        Buffer.from(header.lastHash),
        Buffer.from(header.dataHash),
        packRoots(header.rowRoots),
        packRoots(header.columnRoots),
      );
      for (const b of blobs) {
        this.stmts.insertBlob.run(
          b.height,
          b.idx,
          Buffer.from(b.namespace),
          Buffer.from(b.data),
          b.shareVersion,
          Buffer.from(b.commitment),
          b.signer ? Buffer.from(b.signer) : null,
          b.shareIndex,
        );
      }
    })();
  }

  blobs(height: number, namespace: Uint8Array): StoredBlob[] {
    return (this.stmts.blobsAt.all(height, Buffer.from(namespace)) as BlobRow[]).map(toBlob);
  }

  /** Every blob of a height in square order (to rebuild the square for proofs). */
  allBlobs(height: number): StoredBlob[] {
    return (this.stmts.allAt.all(height) as BlobRow[]).map(toBlob);
  }

  blob(height: number, namespace: Uint8Array, commitment: Uint8Array): StoredBlob | undefined {
    const r = this.stmts.blobByCommitment.get(height, Buffer.from(namespace), Buffer.from(commitment)) as
      | BlobRow
      | undefined;
    return r ? toBlob(r) : undefined;
  }

  close(): void {
    this.db.close();
  }
}

function toBlob(r: BlobRow): StoredBlob {
  return {
    height: r.height,
    idx: r.idx,
    namespace: u8(r.namespace),
    data: u8(r.data),
    shareVersion: r.share_version,
    commitment: u8(r.commitment),
    signer: r.signer ? u8(r.signer) : null,
    shareIndex: r.share_index,
  };
}
