/** @module The test-only pause hook is off by default, strict about its settings, and fires once at the chosen step. */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AbciApplication } from "../../chain-app/abci/index.js";
import { faultPauseFromEnv, withFaultPause } from "./faultPause.js";

describe("DSDND_FAULT_PAUSE", () => {
  it("is off unless set, and refuses malformed settings", () => {
    expect(faultPauseFromEnv({})).toBeUndefined();
    expect(() => faultPauseFromEnv({ DSDND_FAULT_PAUSE: "finalize@10" })).toThrow(/DSDND_FAULT_MARKER/);
    expect(() => faultPauseFromEnv({ DSDND_FAULT_PAUSE: "prepare@10", DSDND_FAULT_MARKER: "m" })).toThrow(/must be/);
    expect(() => faultPauseFromEnv({ DSDND_FAULT_PAUSE: "commit@0", DSDND_FAULT_MARKER: "m" })).toThrow(/must be/);
    expect(() =>
      faultPauseFromEnv({ DSDND_FAULT_PAUSE: "commit@5", DSDND_FAULT_MARKER: "m", DSDND_FAULT_PAUSE_MS: "999999" }),
    ).toThrow(/PAUSE_MS/);
    expect(faultPauseFromEnv({ DSDND_FAULT_PAUSE: "after-commit@7", DSDND_FAULT_MARKER: "m" })).toEqual({
      phase: "after-commit",
      height: 7n,
      marker: "m",
      pauseMs: 10000,
    });
  });

  it("pauses once, at the first block at or above the height, and otherwise answers as the app", async () => {
    const marker = join(mkdtempSync(join(tmpdir(), "fault-")), "marker");
    const calls: string[] = [];
    class App {
      committed = 0;
      info() {
        return { lastBlockHeight: BigInt(this.committed) };
      }
      finalizeBlock(req: { height: bigint }) {
        calls.push(`finalize ${req.height}`);
        return { appHash: new Uint8Array([Number(req.height)]) };
      }
      commit() {
        this.committed++;
        calls.push("commit");
        return {};
      }
    }
    const app = new App();
    const wrapped = withFaultPause(app as unknown as AbciApplication, {
      phase: "commit",
      height: 3n,
      marker,
      pauseMs: 50,
    });
    for (const h of [1n, 2n]) {
      await wrapped.finalizeBlock({ height: h } as never);
      await wrapped.commit({} as never);
    }
    expect(existsSync(marker)).toBe(false);
    await wrapped.finalizeBlock({ height: 4n } as never);
    await wrapped.commit({} as never);
    expect(readFileSync(marker, "utf8")).toBe("commit@4\n");
    expect(((await wrapped.info({} as never)) as { lastBlockHeight: bigint }).lastBlockHeight).toBe(3n);
    expect(calls).toEqual(["finalize 1", "commit", "finalize 2", "commit", "finalize 4", "commit"]);
  });
});
