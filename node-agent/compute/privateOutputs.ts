/**
 * @module Which outputs a storage node holds are private (`visibility: private` in the user-signed spec), and whose:
 * `<data>/compute-private/<cid>.json` lists the submitters (≤ 16) whose private jobs produced those bytes. An output
 * a public job also produced is public (the same bytes are anyone's already): its marker says so for good.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "../../common/atomicFile.js";
import { isValidCid } from "../../common/cid.js";

/** Submitters kept per private output: more private jobs with the same bytes replace the oldest. */
export const MAX_OWNERS_PER_OUTPUT = 16;

interface Marker {
  readonly public: boolean;
  readonly owners: readonly string[];
}

export class PrivateOutputs {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Records that a job of `owner` with `visibility` produced output `cid`. */
  record(cid: string, visibility: string, owner: string): void {
    const m = this.marker(cid);
    if (m?.public) return;
    const next: Marker =
      visibility === "private"
        ? {
            public: false,
            owners: [...(m?.owners ?? []).filter((o) => o !== owner), owner].slice(-MAX_OWNERS_PER_OUTPUT),
          }
        : { public: true, owners: [] };
    writeFileAtomicSync(this.path(cid), JSON.stringify(next));
  }

  /** The accounts a private output is served to; undefined when the output is public (or not a job's). */
  ownersOf(cid: string): readonly string[] | undefined {
    const m = this.marker(cid);
    return m && !m.public ? m.owners : undefined;
  }

  private marker(cid: string): Marker | undefined {
    try {
      return JSON.parse(readFileSync(this.path(cid), "utf8")) as Marker;
    } catch {
      return undefined;
    }
  }

  private path(cid: string): string {
    if (!isValidCid(cid) || cid.length > 128) throw new RangeError(`not a CID: ${cid.slice(0, 80)}`);
    return join(this.dir, `${cid}.json`);
  }
}
