/**
 * @module A storage node's record of each job's log lines (the module's stderr / host log calls), kept next to its
 * outputs in `<data>/compute-logs/<job id>.json`, bounded (64 lines of 512 characters per job, the newest 1 000
 * jobs), and served only to the job's signed submitter (logsRoute.ts): logs are the owner's, not public.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "../../common/atomicFile.js";
import { MAX_LOG_LINE, MAX_LOG_LINES } from "./signed.js";

export type JobLogState = "running" | "completed" | "failed";

export interface JobLogRecord {
  readonly jobId: string;
  /** The workload's signed submitter: the only account the logs are served to. */
  readonly owner: string;
  readonly state: JobLogState;
  readonly reason: string;
  readonly logs: readonly string[];
}

/** Jobs whose logs are kept; the oldest are dropped first. */
export const MAX_LOGGED_JOBS = 1000;

const JOB_ID = /^[0-9a-f]{64}$/;

export class JobLogStore {
  constructor(
    readonly dir: string,
    private readonly maxJobs = MAX_LOGGED_JOBS,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** Records `jobId`'s state and its last lines, each cut to the bound. */
  put(r: JobLogRecord): void {
    if (!JOB_ID.test(r.jobId)) throw new RangeError(`not a job id: ${r.jobId}`);
    const logs = r.logs.slice(-MAX_LOG_LINES).map((l) => l.slice(0, MAX_LOG_LINE));
    const fresh = this.get(r.jobId) === undefined;
    writeFileAtomicSync(
      join(this.dir, `${r.jobId}.json`),
      JSON.stringify({ ...r, reason: r.reason.slice(0, MAX_LOG_LINE), logs }),
    );
    if (fresh) this.prune();
  }

  get(jobId: string): JobLogRecord | undefined {
    if (!JOB_ID.test(jobId)) return undefined;
    try {
      return JSON.parse(readFileSync(join(this.dir, `${jobId}.json`), "utf8")) as JobLogRecord;
    } catch {
      return undefined;
    }
  }

  private prune(): void {
    const files = readdirSync(this.dir).filter((f) => /^[0-9a-f]{64}\.json$/.test(f));
    if (files.length <= this.maxJobs) return;
    const byAge = files
      .map((f) => ({ f, at: statSync(join(this.dir, f)).mtimeMs }))
      .sort((a, b) => a.at - b.at || a.f.localeCompare(b.f));
    for (const { f } of byAge.slice(0, files.length - this.maxJobs)) unlinkSync(join(this.dir, f));
  }
}
