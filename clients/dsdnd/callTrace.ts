/** @module Opt-in per-block timing of the app's ABCI calls for `dsdnd start` (DSDND_ABCI_TRACE=<file>): where a block's time goes. */

import { appendFileSync } from "node:fs";
import type * as abci from "cosmjs-types/tendermint/abci/types";
import type { AbciApplication } from "../../chain-app/abci/index.js";

/** One kind of call within one block interval: how many, and the app's own time in them (ms, wall clock). */
interface Tally {
  n: number;
  ms: number;
}

/** What is recorded per call kind; a RECHECK is told apart from a new tx's CheckTx. */
type TracedKind =
  | "checkTx"
  | "recheckTx"
  | "prepareProposal"
  | "processProposal"
  | "finalizeBlock"
  | "commit"
  | "other";

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/**
 * Wraps `app` so that every call is timed (hrtime around the app's own work; the socket and queue wait are
 * what CometBFT's `abci_connection_method_timing_seconds` adds) and one JSON line per committed block is
 * appended to `file`: the height, its tx count, the wall time since the previous Commit ended, and per kind the
 * number of calls and their summed time; what is left of the interval is time the app waited for CometBFT.
 * Answers are the app's own; nothing here touches state. Off unless the operator sets the variable.
 */
export function withCallTrace(app: AbciApplication, file: string): AbciApplication {
  let tallies = new Map<TracedKind, Tally>();
  let intervalStart = nowMs();
  let blockTxs = 0;
  let blockHeight = "";
  let finalizeEnd = 0;
  const add = (kind: TracedKind, ms: number) => {
    const t = tallies.get(kind) ?? { n: 0, ms: 0 };
    t.n++;
    t.ms += ms;
    tallies.set(kind, t);
  };
  const timed =
    <Q, A>(kind: (req: Q) => TracedKind, f: (req: Q) => A | Promise<A>) =>
    async (req: Q): Promise<A> => {
      const t0 = nowMs();
      try {
        return await f(req);
      } finally {
        add(kind(req), nowMs() - t0);
      }
    };
  const wrapped: AbciApplication = {
    info: timed(
      () => "other",
      (r: abci.RequestInfo) => app.info(r),
    ),
    initChain: timed(
      () => "other",
      (r: abci.RequestInitChain) => app.initChain(r),
    ),
    query: timed(
      () => "other",
      (r: abci.RequestQuery) => app.query(r),
    ),
    checkTx: timed(
      (r: abci.RequestCheckTx) => (r.type === 1 ? "recheckTx" : "checkTx"),
      (r: abci.RequestCheckTx) => app.checkTx(r),
    ),
    prepareProposal: timed(
      () => "prepareProposal",
      (r: abci.RequestPrepareProposal) => app.prepareProposal(r),
    ),
    processProposal: timed(
      () => "processProposal",
      (r: abci.RequestProcessProposal) => app.processProposal(r),
    ),
    finalizeBlock: async (r: abci.RequestFinalizeBlock) => {
      const res = await timed(
        () => "finalizeBlock",
        (q: abci.RequestFinalizeBlock) => app.finalizeBlock(q),
      )(r);
      blockTxs = r.txs.length;
      blockHeight = String(r.height);
      finalizeEnd = nowMs();
      return res;
    },
    commit: async (r: abci.RequestCommit) => {
      const res = await timed(
        () => "commit",
        (q: abci.RequestCommit) => app.commit(q),
      )(r);
      const end = nowMs();
      const kinds: Record<string, { n: number; ms: number }> = {};
      let busy = 0;
      for (const [k, t] of tallies) {
        kinds[k] = { n: t.n, ms: Math.round(t.ms * 100) / 100 };
        busy += t.ms;
      }
      const line = {
        height: blockHeight,
        txs: blockTxs,
        intervalMs: Math.round((end - intervalStart) * 100) / 100,
        busyMs: Math.round(busy * 100) / 100,
        // FinalizeBlock answered → Commit arrived: CometBFT saving the block and its results, then asking.
        finalizeToCommitEndMs: Math.round((end - finalizeEnd) * 100) / 100,
        endMs: Math.round(end),
        kinds,
      };
      appendFileSync(file, `${JSON.stringify(line)}\n`);
      tallies = new Map();
      intervalStart = end;
      return res;
    },
  };
  for (const k of [
    "extendVote",
    "verifyVoteExtension",
    "listSnapshots",
    "offerSnapshot",
    "loadSnapshotChunk",
    "applySnapshotChunk",
  ] as const) {
    const f = app[k] as ((req: unknown) => unknown) | undefined;
    if (f)
      (wrapped as unknown as Record<string, unknown>)[k] = timed(
        () => "other",
        (req: unknown) => f.call(app, req),
      );
  }
  return wrapped;
}
