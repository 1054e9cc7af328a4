/** @module Locates the project root (source or compiled tree) and its project-local tools. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/** The folder holding DSDN's package.json, found by walking up from this file. */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "dsdn") {
      cached = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find the dsdn project root");
    dir = up;
  }
}

/** The pinned CometBFT binary: $DSDN_COMETBFT_BIN, else .tools/cometbft/bin/cometbft (installed by localnet/install-cometbft.sh). */
export function cometbftBinary(): string {
  if (process.env.DSDN_COMETBFT_BIN) return process.env.DSDN_COMETBFT_BIN;
  const local = join(projectRoot(), ".tools", "cometbft", "bin", "cometbft");
  if (existsSync(local)) return local;
  throw new Error("cometbft not found: run `bash localnet/install-cometbft.sh` (or set DSDN_COMETBFT_BIN)");
}
