/** @module `dsdn-node price-feeder`: the per-validator sidecar that writes the price file its dsdnd reads. */
import type { Command } from "../../common/cli.js";
import { untilSignal } from "../../common/cli.js";
import { InvalidArgumentError } from "../../common/errors.js";
import { parseUsd } from "../../common/priceFile.js";
import { filePrice, type PriceSource, runFeeder, simulatedPrice } from "../oracle/priceFeeder.js";

export const priceFeederCommand: Command = {
  summary: "Feed this validator's NUSA/USD price to its dsdnd (vote extensions) from a simulated feed or a file",
  usage:
    "--out FILE [--source sim|file] [--file PRICE_FILE] [--interval-ms 1000] [--sim-base 0.05] [--sim-amplitude-ppm 50000] [--sim-period-seconds 600]",
  options: {
    out: { type: "string" },
    source: { type: "string", default: "sim" },
    file: { type: "string" },
    "interval-ms": { type: "string", default: "1000" },
    "sim-base": { type: "string", default: "0.05" },
    "sim-amplitude-ppm": { type: "string", default: "50000" },
    "sim-period-seconds": { type: "string", default: "600" },
  },
  async run(ctx) {
    const out = ctx.values.out;
    if (typeof out !== "string" || out === "") throw new InvalidArgumentError("--out FILE is required");
    const intervalMs = Number(ctx.values["interval-ms"]);
    if (!Number.isSafeInteger(intervalMs) || intervalMs < 50 || intervalMs > 600_000)
      throw new InvalidArgumentError("--interval-ms must be 50..600000");
    let source: PriceSource;
    if (ctx.values.source === "file") {
      const file = ctx.values.file;
      if (typeof file !== "string" || file === "")
        throw new InvalidArgumentError("--source file needs --file PRICE_FILE");
      source = () => filePrice(file);
    } else if (ctx.values.source === "sim") {
      const feed = {
        baseNanoUsd: parseUsd(String(ctx.values["sim-base"])),
        amplitudePpm: BigInt(String(ctx.values["sim-amplitude-ppm"])),
        periodSeconds: BigInt(String(ctx.values["sim-period-seconds"])),
      };
      if (feed.amplitudePpm < 0n || feed.amplitudePpm > 1_000_000n)
        throw new InvalidArgumentError("--sim-amplitude-ppm must be 0..1000000");
      source = async () => simulatedPrice(feed, BigInt(Math.floor(Date.now() / 1000)));
    } else throw new InvalidArgumentError(`--source must be sim or file, got ${String(ctx.values.source)}`);
    const abort = new AbortController();
    const loop = runFeeder({ source, out, intervalMs, log: ctx.err }, abort.signal);
    ctx.out(`price-feeder: writing ${out} every ${intervalMs} ms from ${String(ctx.values.source)}`);
    ctx.out(`price-feeder: ${await untilSignal()}, shutting down`);
    abort.abort();
    await loop;
    return 0;
  },
};
