/**
 * @module End to end on a real 4-validator localnet (real CometBFT v0.38 vote extensions): each validator's
 * price feeder reads a file this test edits; the on-chain NUSA/USD price follows within a window, moves at
 * most ±20% per window, and goes stale when the feeders stop. Prints the update latency and the per-block
 * size of the injected extended commit (BENCHMARKS.md).
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { ExtendedCommitInfo } from "cosmjs-types/tendermint/abci/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../common/paths.js";
import { PriceVote } from "../../proto/gen/dsdn/oracle/v1/oracle.js";
import { type Localnet, rpc, startLocalnet, waitFor } from "../support/localnet.js";

const run = promisify(execFile);
const root = projectRoot();
const VALIDATORS = 4;
let net: Localnet;
let rpc0: string;

interface Price {
  priceNanoUsd: string;
  stale?: boolean;
  updatedAt: string;
  reportersInWindow?: string;
}
async function price(): Promise<Price> {
  const { stdout } = await run(
    "node",
    [join(root, "bin", "dsdnd.js"), "query", "oracle", "price", "--node", rpc0, "-o", "json"],
    {
      cwd: root,
    },
  );
  return JSON.parse(stdout) as Price;
}
/** `dsdn estimate --json` of a fixed module against node 0: its USD price and the unusa that pays it now. */
async function estimate(): Promise<{
  total: string;
  nusa: { unusa?: string; priceNanoUsd?: string; stale?: boolean };
}> {
  const wasm = join(root, "node-agent", "runtime", "fixtures", "wc.wasm");
  const { stdout } = await run("node", [join(root, "bin", "dsdn.js"), "estimate", wasm, "--rpc", rpc0, "--json"], {
    cwd: root,
  });
  return (JSON.parse(stdout) as { price: { total: string; nusa: never } }).price;
}
const feed = (usd: string) => {
  for (let i = 0; i < VALIDATORS; i++) writeFileSync(join(net.dir, "prices", `node${i}.txt`), `${usd}\n`);
};

beforeAll(async () => {
  net = await startLocalnet({ validators: VALIDATORS, services: "chain", env: { LOCALNET_PRICE_SOURCE: "file" } });
  rpc0 = net.rpcUrls[0] as string;
});
afterAll(async () => {
  await net?.stop();
});

describe("oracle on a real localnet", () => {
  it("blocks carry every validator's signed price, injected first and accepted by all", async () => {
    // Wait for a block whose first item is the extended commit with all four prices.
    const info = await waitFor(
      async () => {
        const h = Number((await rpc(rpc0, "status")).sync_info.latest_block_height);
        const b = await rpc(rpc0, "block", { height: String(h) });
        const first = b.block.data.txs?.[0];
        if (!first) return undefined;
        const ci = ExtendedCommitInfo.decode(Buffer.from(first, "base64"));
        const priced = ci.votes.filter((v) => v.voteExtension.length > 0);
        return priced.length === VALIDATORS ? { ci, bytes: Buffer.from(first, "base64").length } : undefined;
      },
      60_000,
      "a block with 4 price extensions",
    );
    expect(info.ci.votes.map((v) => PriceVote.decode(v.voteExtension).priceNanoUsd)).toEqual(
      Array(VALIDATORS).fill(50_000_000n),
    );
    console.log(`[bench] injected extended commit: ${info.bytes} bytes per block with ${VALIDATORS} validators`);
    for (let i = 0; i < VALIDATORS; i++)
      expect(readFileSync(join(net.dir, "logs", `dsdnd-${i}.log`), "utf8")).not.toMatch(/process_proposal .* rejected/);
  });

  it("the price follows the feed within a window, and moves at most ±20% per window", async () => {
    const t0 = Date.now();
    feed("0.055");
    await waitFor(async () => (await price()).priceNanoUsd === "55000000", 60_000, "price 0.055");
    console.log(`[bench] oracle update latency (feed file -> on-chain price, 5 s window): ${Date.now() - t0} ms`);
    // dsdn estimate follows: the same USD price, paid in the unusa of the new on-chain price (rounded up).
    const e1 = await estimate();
    expect(e1.nusa).toMatchObject({ priceNanoUsd: "55000000", stale: false });
    expect(BigInt(e1.nusa.unusa!)).toBe((BigInt(e1.total) * 1_000_000n + 55_000_000n - 1n) / 55_000_000n);
    feed("1");
    const seen: string[] = [];
    await waitFor(
      async () => {
        const p = (await price()).priceNanoUsd;
        if (seen.at(-1) !== p) seen.push(p);
        return p === "79200000";
      },
      90_000,
      "two clamped steps",
    );
    // From 0.055: +20% = 0.066, then +20% = 0.0792 — never straight to 1.
    expect(seen.filter((p) => p !== "55000000")).toEqual(["66000000", "79200000"]);
    // The feed still says 1, so the next window may clamp up again while `dsdn estimate` runs: it must show the
    // on-chain price of the moment it asked (read just before and just after), on the clamped path.
    const before = (await price()).priceNanoUsd;
    const e2 = await estimate();
    const after = (await price()).priceNanoUsd;
    expect(e2.total).toBe(e1.total);
    expect([before, after]).toContain(e2.nusa.priceNanoUsd);
    const p2 = BigInt(e2.nusa.priceNanoUsd!);
    expect(p2).toBeGreaterThanOrEqual(79_200_000n);
    // The small module's price is a few nano-USD (1 unusa either way): the figure is checked against the new price.
    expect(BigInt(e2.nusa.unusa!)).toBe((BigInt(e2.total) * 1_000_000n + p2 - 1n) / p2);
  });

  it("goes stale when the feeders stop, keeping the last good price", async () => {
    // Settle on 0.08 first: a feeder stopped before it re-read its file would keep reporting the previous test's
    // price (1 USD) until its reading ages out, and the chain would rightly follow it up by 20% per window.
    feed("0.08");
    const before = await waitFor(
      async () => {
        const p = await price();
        return p.priceNanoUsd === "80000000" ? p : undefined;
      },
      90_000,
      "price settled at 0.08",
    );
    for (let i = 0; i < VALIDATORS; i++) process.kill(net.pid("price-feeder", i), "SIGTERM");
    // Readings age out after 30 s (empty extensions), then the chain calls the price stale after 30 s more.
    const stale = await waitFor(
      async () => {
        const p = await price();
        return p.stale ? p : undefined;
      },
      150_000,
      "stale price",
    );
    expect(BigInt(stale.priceNanoUsd)).toBeGreaterThanOrEqual(BigInt(before.priceNanoUsd));
    expect(BigInt(stale.priceNanoUsd)).toBeLessThanOrEqual(80_000_000n);
    expect((await estimate()).nusa.stale).toBe(true); // dsdn estimate flags the stale price
  });
});
