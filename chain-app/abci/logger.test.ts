/** @module Default stderr logger: level filtering and line format. */

import { describe, expect, it } from "vitest";
import { createStderrLogger } from "./logger.js";

describe("createStderrLogger", () => {
  it("writes level-tagged lines at or above the chosen level, with quoted fields", () => {
    const lines: string[] = [];
    const log = createStderrLogger({ level: "warn", write: (l) => lines.push(l) });
    log.debug("hidden");
    log.info("hidden too");
    log.warn("connection error", { conn: 3, error: "read ECONNRESET", skipped: undefined });
    log.error("halt", { height: 12n });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z WARN abci: connection error conn=3 error="read ECONNRESET"\n$/);
    expect(lines[1]).toMatch(/ ERROR abci: halt height=12\n$/);
  });

  it("defaults to info", () => {
    const lines: string[] = [];
    const log = createStderrLogger({ write: (l) => lines.push(l) });
    log.debug("no");
    log.info("yes");
    expect(lines).toHaveLength(1);
  });
});
