/**
 * @module Compute records read back from DA: `WorkloadScheduled` and `ComputeDisagreement` count only when a
 * coordinator published them; `ComputeReported` carries a node-signed result that is checked when used.
 * `ComputeIndex` follows DA incrementally into SQLite (a cursor committed with each height's records), so a restart
 * resumes where it stopped; coordinators load their compute service from it and committee members check compute
 * receipts against it. `scanComputeRecords` is the one-off scan `dsdn-node schedule` uses.
 */
import type Database from "better-sqlite3";
import { sha256, toHex } from "../../common/hash.js";
import { decodeCanonical } from "../../common/protobuf.js";
import { WorkloadSubmission } from "../../proto/gen/dsdn/compute/v1/workload.js";
import { WorkloadScheduled } from "../../proto/gen/dsdn/da/v1/events.js";
import { openedEvents } from "../da/events/openedEvents.js";
import { openExclusiveDb } from "../da/exclusiveDb.js";
import type { DAHeightBlobs, DALayer } from "../da/types.js";
import type { ComputeService } from "./service.js";
import type { ComputeRecordSource } from "./workloadCheck.js";

export interface ComputeRecords {
  readonly scheduled: Map<string, { event: WorkloadScheduled; daHeight: bigint }>;
  readonly reports: { workloadId: string; result: Uint8Array }[];
  readonly disagreements: Set<string>;
}

/** The compute records of one DA height, in replay order, from the given coordinators only. */
function recordsAt(at: DAHeightBlobs, coord: ReadonlySet<string>, into: ComputeRecords): void {
  for (const env of openedEvents(at.blobs)) {
    if (!coord.has(env.publisherHex)) continue;
    const e = env.event;
    if (e.type === "workloadScheduled") {
      const id = toHex(e.value.workloadId);
      if (!into.scheduled.has(id)) into.scheduled.set(id, { event: e.value, daHeight: at.height });
    } else if (e.type === "computeReported") {
      into.reports.push({ workloadId: toHex(e.value.workloadId), result: e.value.result });
    } else if (e.type === "computeDisagreement") {
      into.disagreements.add(toHex(e.value.workloadId));
    }
  }
}

const emptyRecords = (): ComputeRecords => ({ scheduled: new Map(), reports: [], disagreements: new Set() });

export async function scanComputeRecords(
  da: Pick<DALayer, "head" | "getAll">,
  coordinators: readonly string[],
  opts: { fromHeight?: bigint; maxHeights?: bigint } = {},
): Promise<ComputeRecords> {
  const coord = new Set(coordinators.map((c) => c.toLowerCase()));
  const out = emptyRecords();
  const head = await da.head();
  const from = opts.fromHeight ?? 1n;
  const to = opts.maxHeights !== undefined && head - from + 1n > opts.maxHeights ? from + opts.maxHeights - 1n : head;
  for (let h = from; h <= to; h++) recordsAt(await da.getAll(h), coord, out);
  return out;
}

/** At most this many relayed results per workload are kept (replicas ≤ 3; a few coordinators may relay each). */
const MAX_REPORTS_PER_WORKLOAD = 32;

export interface ComputeIndexOptions {
  /** SQLite file (one process), or ":memory:". */
  readonly path: string;
  readonly da: Pick<DALayer, "head" | "getAll">;
  /** Coordinator keys whose compute events count; another set rebuilds the index from height 1. */
  readonly coordinators: readonly string[];
  /** At most this many DA heights read per `sync()` call (default 10 000); the next call goes on. */
  readonly maxHeightsPerSync?: bigint;
}

export class ComputeIndex implements ComputeRecordSource {
  readonly #db: Database.Database;
  readonly #o: ComputeIndexOptions;
  readonly #coord: ReadonlySet<string>;
  #syncing: Promise<number> | undefined;
  /** DA heights read since this index was opened (restarts resume from the cursor). */
  heightsRead = 0n;

  private constructor(db: Database.Database, o: ComputeIndexOptions) {
    this.#db = db;
    this.#o = o;
    this.#coord = new Set(o.coordinators.map((c) => c.toLowerCase()));
  }

  static open(o: ComputeIndexOptions): ComputeIndex {
    const db = openExclusiveDb(
      o.path,
      "compute index",
      `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
       CREATE TABLE IF NOT EXISTS scheduled (id TEXT PRIMARY KEY, da_height INTEGER NOT NULL, event BLOB NOT NULL);
       CREATE INDEX IF NOT EXISTS scheduled_height ON scheduled (da_height);
       CREATE TABLE IF NOT EXISTS reports (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, result BLOB NOT NULL);
       CREATE INDEX IF NOT EXISTS reports_id ON reports (id);
       CREATE TABLE IF NOT EXISTS disagreements (id TEXT PRIMARY KEY);`,
    );
    const idx = new ComputeIndex(db, o);
    // Records kept under other replay rules (another coordinator set) are not reused.
    const rules = toHex(sha256(new TextEncoder().encode([...idx.#coord].sort().join(","))));
    if (idx.#meta("rules") !== rules) {
      db.exec("DELETE FROM scheduled; DELETE FROM reports; DELETE FROM disagreements; DELETE FROM meta;");
      idx.#setMeta("rules", rules);
      idx.#setMeta("cursor", "0");
    }
    return idx;
  }

  #meta(key: string): string | undefined {
    return (this.#db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined)?.value;
  }

  #setMeta(key: string, value: string): void {
    this.#db
      .prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .run(key, value);
  }

  /** The last DA height fully indexed. */
  get cursor(): bigint {
    return BigInt(this.#meta("cursor") ?? "0");
  }

  /** Reads DA from the cursor up to its head (bounded per call); returns the heights read. Calls run one at a time. */
  sync(): Promise<number> {
    const run = async (): Promise<number> => {
      const head = await this.#o.da.head();
      const max = this.#o.maxHeightsPerSync ?? 10_000n;
      let n = 0;
      for (let h = this.cursor + 1n; h <= head && BigInt(n) < max; h++) {
        const recs = emptyRecords();
        recordsAt(await this.#o.da.getAll(h), this.#coord, recs);
        this.#apply(h, recs);
        n++;
      }
      this.heightsRead += BigInt(n);
      return n;
    };
    const p = (this.#syncing ?? Promise.resolve(0)).then(run, run);
    this.#syncing = p;
    return p;
  }

  /** One height's records and the cursor, in one transaction: a crash leaves the height wholly in or out. */
  #apply(height: bigint, r: ComputeRecords): void {
    const insSched = this.#db.prepare("INSERT OR IGNORE INTO scheduled (id, da_height, event) VALUES (?, ?, ?)");
    const count = this.#db.prepare("SELECT COUNT(*) AS n FROM reports WHERE id = ?");
    const insRep = this.#db.prepare("INSERT INTO reports (id, result) VALUES (?, ?)");
    const insDis = this.#db.prepare("INSERT OR IGNORE INTO disagreements (id) VALUES (?)");
    this.#db.transaction(() => {
      for (const [id, { event }] of r.scheduled)
        insSched.run(id, height, Buffer.from(WorkloadScheduled.encode(event).finish()));
      for (const rep of r.reports)
        if (Number((count.get(rep.workloadId) as { n: bigint }).n) < MAX_REPORTS_PER_WORKLOAD)
          insRep.run(rep.workloadId, Buffer.from(rep.result));
      for (const id of r.disagreements) insDis.run(id);
      this.#setMeta("cursor", height.toString());
    })();
  }

  /** Syncs until DA's head (as read) is indexed. */
  async catchUp(): Promise<void> {
    const max = Number(this.#o.maxHeightsPerSync ?? 10_000n);
    while ((await this.sync()) >= max) {}
  }

  async scheduled(workloadId: string): Promise<{ event: WorkloadScheduled; daHeight: bigint } | undefined> {
    await this.catchUp();
    return this.#scheduledNow(workloadId);
  }

  #scheduledNow(workloadId: string): { event: WorkloadScheduled; daHeight: bigint } | undefined {
    const row = this.#db.prepare("SELECT da_height, event FROM scheduled WHERE id = ?").get(workloadId) as
      | { da_height: bigint; event: Buffer }
      | undefined;
    return row ? { event: WorkloadScheduled.decode(row.event), daHeight: BigInt(row.da_height) } : undefined;
  }

  async reports(workloadId: string): Promise<readonly Uint8Array[]> {
    await this.catchUp();
    return this.#reportsNow(workloadId);
  }

  #reportsNow(workloadId: string): Uint8Array[] {
    return (
      this.#db.prepare("SELECT result FROM reports WHERE id = ? ORDER BY seq").all(workloadId) as { result: Buffer }[]
    ).map((r) => new Uint8Array(r.result));
  }

  /** The newest `limit` scheduled workloads (by DA height), oldest first, with their reports and disagreement flag. */
  recent(limit: number): {
    id: string;
    event: WorkloadScheduled;
    daHeight: bigint;
    reports: Uint8Array[];
    disagreement: boolean;
  }[] {
    const rows = this.#db
      .prepare("SELECT id, da_height, event FROM scheduled ORDER BY da_height DESC, id LIMIT ?")
      .all(limit) as { id: string; da_height: bigint; event: Buffer }[];
    const dis = this.#db.prepare("SELECT 1 FROM disagreements WHERE id = ?");
    return rows.reverse().map((r) => ({
      id: r.id,
      event: WorkloadScheduled.decode(r.event),
      daHeight: BigInt(r.da_height),
      reports: this.#reportsNow(r.id),
      disagreement: dis.get(r.id) !== undefined,
    }));
  }

  close(): void {
    this.#db.close();
  }
}

/** Catches the index up with DA and loads its newest workloads (with their reported results) into a compute service. */
export async function rebuildComputeIndex(svc: ComputeService, index: ComputeIndex, limit = 10_000): Promise<number> {
  await index.catchUp();
  let n = 0;
  for (const w of index.recent(limit)) {
    let sub: WorkloadSubmission;
    try {
      sub = decodeCanonical(WorkloadSubmission, w.event.submission, "WorkloadSubmission");
    } catch {
      continue;
    }
    if (!sub.spec) continue;
    svc.record({
      id: w.id,
      spec: sub.spec,
      submission: w.event.submission,
      nodes: w.event.nodeIds.map((x) => toHex(x)),
      chainHeight: w.event.chainHeight,
      daHeight: w.daHeight,
      heartbeats: w.event.heartbeats,
    });
    for (const rep of w.reports) svc.recordResult(w.id, rep, w.disagreement);
    n++;
  }
  return n;
}
