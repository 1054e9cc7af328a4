/** @module Test-file order for `npm test`: longest first from a table of measured seconds (test/durations.json). */

/** One test file as the sequencer sees it: its path from the repo root (`/`-separated), vitest project, size. */
export interface TestFile {
  path: string;
  project: string;
  bytes: number;
}

/** Measured seconds per test file, keyed by {@link TestFile.path} (a file belongs to one project). */
export type DurationTable = Record<string, number>;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Estimated seconds of every file: the table's figure when it has one; otherwise the file's size times its project's
 * median seconds-per-byte over the measured files (a new e2e file is then placed among e2e files of its size, not
 * after every measured unit test). With nothing measured the estimate is the size itself (vitest's size order).
 */
export function estimateSeconds(files: readonly TestFile[], table: DurationTable): Map<string, number> {
  const ratios = new Map<string, number[]>();
  const all: number[] = [];
  for (const f of files) {
    const s = table[f.path];
    if (s === undefined || f.bytes <= 0) continue;
    const r = s / f.bytes;
    all.push(r);
    ratios.set(f.project, [...(ratios.get(f.project) ?? []), r]);
  }
  const fallback = all.length > 0 ? median(all) : 1;
  const out = new Map<string, number>();
  for (const f of files) {
    const measured = table[f.path];
    if (measured !== undefined) {
      out.set(f.path, measured);
      continue;
    }
    const own = ratios.get(f.project);
    out.set(f.path, f.bytes * (own && own.length > 0 ? median(own) : fallback));
  }
  return out;
}

/**
 * Files longest first (ties by path, so the order never depends on the file system's listing). With a FIFO pool of
 * workers this is the LPT rule: the long localnet files start at once and the short ones fill the tail.
 */
export function longestFirst<T extends TestFile>(files: readonly T[], table: DurationTable): T[] {
  const est = estimateSeconds(files, table);
  return [...files].sort((a, b) => {
    const d = (est.get(b.path) ?? 0) - (est.get(a.path) ?? 0);
    return d !== 0 ? d : a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
  });
}

/** Wall time of running `seconds` in this order on `workers` workers that each take the next file when free. */
export function makespan(seconds: readonly number[], workers: number): number {
  if (workers < 1) throw new Error("workers must be at least 1");
  const free = new Array<number>(workers).fill(0);
  for (const s of seconds) {
    let i = 0;
    for (let w = 1; w < workers; w++) if ((free[w] as number) < (free[i] as number)) i = w;
    free[i] = (free[i] as number) + s;
  }
  return Math.max(...free);
}

/**
 * vitest's own order on a clean clone (no results cache): project by name, then larger files first, the sort being
 * stable for equal sizes. Kept only to model what the table-driven order gains.
 */
export function vitestCleanCloneOrder<T extends TestFile>(files: readonly T[]): T[] {
  return [...files].sort((a, b) => {
    if (a.project !== b.project) return a.project < b.project ? -1 : 1;
    return b.bytes - a.bytes;
  });
}
