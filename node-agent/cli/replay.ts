/** @module `dsdn-node replay`: rebuilds the DA-derived state from the event log and prints its digest — an independent check anyone can run. */
import { type Command, toJson } from "../../common/cli.js";
import { InvalidArgumentError } from "../../common/errors.js";
import { silentLogger, stderrLogger } from "../da/events/logger.js";
import { parseCoordinatorList, replayConfig } from "../da/replay/config.js";
import { createDALayer, daCliOptions, daOptionsFromCli } from "../da/replay/createDALayer.js";
import { ReplayFollower } from "../da/replay/follower.js";

function heightOption(value: unknown, name: string): bigint | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^\d+$/.test(value) || BigInt(value) < 1n) {
    throw new InvalidArgumentError(`--${name} must be a height ≥ 1, got ${String(value)}`);
  }
  return BigInt(value);
}

function sum(rec: Readonly<Record<string, number>>): number {
  return Object.values(rec).reduce((a, b) => a + b, 0);
}

export const replayCommand: Command = {
  summary: "Rebuild node registry, chunk, replica and zone maps from DA and print the state digest",
  usage:
    "--da URL [--token-file FILE] [--namespace HEX] [--coordinator KEY]... [--from H] [--to H] [--checkpoint-dir DIR] [--json]",
  options: {
    ...daCliOptions,
    coordinator: { type: "string", multiple: true },
    from: { type: "string" },
    to: { type: "string" },
    "checkpoint-dir": { type: "string" },
    json: { type: "boolean" },
    verbose: { type: "boolean", short: "v" },
  },
  async run(ctx) {
    const v = ctx.values;
    const json = v.json === true;
    const fromFlag = heightOption(v.from, "from");
    const toFlag = heightOption(v.to, "to");
    // Coordinator keys: flags, else DSDN_COORDINATOR_KEYS (comma- or space-separated hex).
    const keys = Array.isArray(v.coordinator)
      ? (v.coordinator as string[])
      : parseCoordinatorList(process.env.DSDN_COORDINATOR_KEYS);
    const config = replayConfig({ coordinators: keys });
    if (keys.length === 0) {
      ctx.err(
        "warning: no coordinator keys (--coordinator or DSDN_COORDINATOR_KEYS): coordinator events will count as unauthorized",
      );
    }
    const da = await createDALayer({ ...daOptionsFromCli(v), fallback: false });
    try {
      const checkpointDir = typeof v["checkpoint-dir"] === "string" ? v["checkpoint-dir"] : undefined;
      const follower = new ReplayFollower({
        da,
        config,
        ...(checkpointDir ? { checkpointDir } : {}),
        ...(fromFlag !== undefined ? { fromHeight: fromFlag } : {}),
        logger: v.verbose === true ? stderrLogger : silentLogger,
      });
      const load = follower.restore();
      for (const s of load.skipped) ctx.err(`warning: skipped checkpoint ${s.path}: ${s.reason}`);
      if (load.loaded && fromFlag !== undefined)
        ctx.err(`note: resuming from checkpoint at height ${load.loaded.height}; --from is ignored`);
      const started = Date.now();
      const target = toFlag ?? (await da.head());
      await follower.syncTo(target);
      if (checkpointDir && follower.height > (load.loaded?.height ?? 0n)) follower.checkpoint();
      const stats = follower.machine.stats();
      const counts = follower.state.counts();
      const digest = follower.digestHex();
      const result = {
        digest,
        height: follower.height,
        fromHeight: load.loaded ? load.loaded.height + 1n : (fromFlag ?? 1n),
        checkpoint: load.loaded ? { height: load.loaded.height, path: load.loaded.path } : null,
        counts,
        events: stats,
        elapsedMs: Date.now() - started,
      };
      if (json) {
        ctx.out(toJson(result, 2));
        return 0;
      }
      ctx.out(`digest ${digest}`);
      ctx.out(
        `height ${follower.height} (replayed ${result.fromHeight}..${follower.height}${load.loaded ? `, resumed from checkpoint ${load.loaded.height}` : ""}) in ${result.elapsedMs} ms`,
      );
      ctx.out(`nodes ${counts.nodes}  zones ${counts.zones}  chunks ${counts.chunks}  replicas ${counts.replicas}`);
      ctx.out(
        `events ${stats.envelopes}: applied ${stats.applied}, superseded ${stats.superseded}, duplicates ${stats.duplicates}, pending ${stats.pending}, invalid ${sum(stats.invalid)}, rejected ${sum(stats.rejected)}; blobs ${stats.blobs} (foreign ${stats.foreignBlobs}, unreadable ${stats.invalidBlobs})`,
      );
      for (const [reason, n] of Object.entries({ ...stats.invalid, ...stats.rejected }))
        ctx.out(`  skipped ${n} × ${reason}`);
      return 0;
    } finally {
      await da.close();
    }
  },
};
