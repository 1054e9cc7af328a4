import { defineConfig } from "vitest/config";
import DurationSequencer from "./test/support/durationSequencer.js";

// Unit tests live beside the code; cross-module and end-to-end tests (real CometBFT, real HTTP
// servers) live under test/ and get longer timeouts. Both run in `npm test`.
export default defineConfig({
  test: {
    // Both projects share one pool of 2 workers; files start longest first by test/durations.json (measured seconds,
    // `npm run test:durations` refreshes it) so a long localnet file never starts last and stretches the run.
    sequence: { sequencer: DurationSequencer },
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "common/**/*.test.ts",
            "chain-app/**/*.test.ts",
            "app/**/*.test.ts",
            "modules/**/*.test.ts",
            "clients/**/*.test.ts",
            "node-agent/**/*.test.ts",
            "genesis/**/*.test.ts",
            "proto/**/*.test.ts",
          ],
          testTimeout: 30_000,
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/**/*.test.ts"],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // Two files at a time: most of an end-to-end test is waiting for blocks, and each localnet has its
          // own temp folder and port block (test/support/localnet.ts gives each worker its own port slice).
          maxWorkers: 2,
        },
      },
    ],
  },
});
