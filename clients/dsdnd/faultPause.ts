/** @module Test-only fault injection for `dsdnd start`: pause at one ABCI step of one height so a test can kill a process there. */

import { writeFileSync } from "node:fs";
import type * as abci from "cosmjs-types/tendermint/abci/types";
import type { AbciApplication } from "../../chain-app/abci/index.js";
import { InvalidArgumentError } from "../../common/errors.js";

/**
 * Where the pause happens:
 * - `finalize`: FinalizeBlock has run (state staged, not committed) and its answer is held back —
 *   killing `cometbft` now makes its handshake re-send the block to this still-running app;
 * - `commit`: Commit was requested and nothing is persisted yet — killing `dsdnd` now loses the block;
 * - `after-commit`: the block is persisted but CometBFT has not heard so — killing `dsdnd` now leaves
 *   the app one height ahead of CometBFT's state.
 */
export type FaultPhase = "finalize" | "commit" | "after-commit";

export interface FaultPause {
  readonly phase: FaultPhase;
  /** The first block at or above this height triggers the pause (once per process). */
  readonly height: bigint;
  /** Written (with the height) when the pause starts, so the test knows when to kill. */
  readonly marker: string;
  readonly pauseMs: number;
}

const MAX_PAUSE_MS = 120_000;

/**
 * Off unless `DSDND_FAULT_PAUSE=<phase>@<height>` is set (plus `DSDND_FAULT_MARKER=<file>`, and
 * optionally `DSDND_FAULT_PAUSE_MS`, default 10000, at most 120000). Only fault tests set these.
 */
export function faultPauseFromEnv(env: NodeJS.ProcessEnv = process.env): FaultPause | undefined {
  const spec = env.DSDND_FAULT_PAUSE;
  if (!spec) return undefined;
  const m = /^(finalize|commit|after-commit)@([1-9][0-9]{0,15})$/.exec(spec);
  if (!m)
    throw new InvalidArgumentError(`DSDND_FAULT_PAUSE must be finalize|commit|after-commit@<height>, got "${spec}"`);
  const marker = env.DSDND_FAULT_MARKER;
  if (!marker) throw new InvalidArgumentError("DSDND_FAULT_PAUSE needs DSDND_FAULT_MARKER=<file>");
  const pauseMs = Number(env.DSDND_FAULT_PAUSE_MS ?? "10000");
  if (!Number.isInteger(pauseMs) || pauseMs < 0 || pauseMs > MAX_PAUSE_MS)
    throw new InvalidArgumentError(`DSDND_FAULT_PAUSE_MS must be 0..${MAX_PAUSE_MS}`);
  return { phase: m[1] as FaultPhase, height: BigInt(m[2] as string), marker, pauseMs };
}

/** Wraps `app` so the chosen step pauses once; every answer is still the app's own. */
export function withFaultPause(app: AbciApplication, f: FaultPause): AbciApplication {
  let fired = false;
  let finalized: bigint | undefined;
  const hold = async (phase: FaultPhase, height: bigint | undefined): Promise<void> => {
    if (fired || phase !== f.phase || height === undefined || height < f.height) return;
    fired = true;
    writeFileSync(f.marker, `${phase}@${height}\n`);
    await new Promise((resolve) => setTimeout(resolve, f.pauseMs));
  };
  const finalizeBlock = async (req: abci.RequestFinalizeBlock) => {
    const res = await app.finalizeBlock(req);
    finalized = req.height;
    await hold("finalize", req.height);
    return res;
  };
  const commit = async (req: abci.RequestCommit) => {
    await hold("commit", finalized);
    const res = await app.commit(req);
    await hold("after-commit", finalized);
    return res;
  };
  // Every other method goes to the app itself (bound, so its own state is the only state).
  return new Proxy(app, {
    get(target, prop, receiver) {
      if (prop === "finalizeBlock") return finalizeBlock;
      if (prop === "commit") return commit;
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}
