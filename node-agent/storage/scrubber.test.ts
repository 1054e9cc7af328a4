/** @module Scrubber lifecycle: stop() ends the loop even when it comes mid-pass (the node's failed-join exit). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { LocalFsStorage } from "./localfs.js";
import { Scrubber } from "./scrubber.js";

const dir = mkdtempSync(join(tmpdir(), "dsdn-scrub-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("stop() right after start() returns instead of waiting out the pass interval", async () => {
  const storage = await LocalFsStorage.open(dir);
  // A pass interval far beyond the test timeout: a stop that waited for it would fail the test.
  const scrubber = new Scrubber({ storage, passIntervalMs: 3_600_000 });
  scrubber.start();
  await scrubber.stop();
  expect(scrubber.passes).toBeLessThanOrEqual(1);
});
