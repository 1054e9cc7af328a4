/** @module vitest sequencer for `npm test`: files longest first by test/durations.json, so no long file starts last. */
import { statSync } from "node:fs";
import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { readDurations } from "./durationTable.js";
import { longestFirst } from "./testOrder.js";

const sizeOf = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

// vitest starts files in the order sort() returns, handing the next one to whichever worker frees first. Its default
// order on a clean clone (no results cache, as in CI) is by file size, which can leave a 500 s localnet file to start
// near the end and stretch the run by most of its length.
export default class DurationSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const table = readDurations(root);
    const rows = files.map((spec) => ({
      spec,
      path: relative(root, spec.moduleId).split("\\").join("/"),
      project: spec.project.name,
      bytes: sizeOf(spec.moduleId),
    }));
    return longestFirst(rows, table).map((r) => r.spec);
  }
}
