/**
 * @module End to end on a real 4-validator localnet: one validator's price feeder is stopped; after the
 * oracle's (short) slash window that validator is slashed and jailed for missing its price reports — the
 * misses query shows its counter, the block results carry the penalty event — and the others are not.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isInjectedCommit } from "../../chain-app/voteExtensions.js";
import { projectRoot } from "../../common/paths.js";
import { type Localnet, latestHeight, rpc, startLocalnet, waitFor } from "../support/localnet.js";

const run = promisify(execFile);
const root = projectRoot();
const VALIDATORS = 4;
const SILENT = 3; // the validator whose feeder is stopped
let net: Localnet;
let rpc0: string;

interface Misses {
  counters?: { validator: string; windows: string; misses?: string }[];
  slashWindowSeconds: string;
}
async function misses(): Promise<Misses> {
  const args = [join(root, "bin", "dsdnd.js"), "query", "oracle", "misses", "--node", rpc0, "-o", "json"];
  const { stdout } = await run("node", args, { cwd: root });
  return JSON.parse(stdout) as Misses;
}
const consAddress = (i: number): string =>
  (
    JSON.parse(readFileSync(join(net.dir, "chain", `node${i}`, "config", "priv_validator_key.json"), "utf8")) as {
      address: string;
    }
  ).address.toUpperCase();

type Ev = { type: string; attributes: { key: string; value: string }[] };
const attr = (e: Ev, k: string) => e.attributes.find((a) => a.key === k)?.value;

beforeAll(async () => {
  net = await startLocalnet({
    validators: VALIDATORS,
    services: "chain",
    // 5 s price windows, a 30 s slash window (8 judged windows at most; 5% valid share needed).
    env: { LOCALNET_PRICE_SOURCE: "file", LOCALNET_ORACLE_SLASH_WINDOW_SECONDS: "30" },
  });
  rpc0 = net.rpcUrls[0] as string;
});
afterAll(async () => {
  await net?.stop();
});

describe("oracle miss penalty on a real localnet", () => {
  it("a validator whose feeder is stopped is penalised after the slash window; the others are not", async () => {
    expect((await misses()).slashWindowSeconds).toBe("30");
    process.kill(net.pid("price-feeder", SILENT), "SIGTERM");
    const silent = consAddress(SILENT);
    // Its reading ages out after 30 s (empty extensions from then); the query shows its misses growing.
    const counted = await waitFor(
      async () => {
        const c = (await misses()).counters?.find((x) => x.validator === silent);
        return c && Number(c.misses ?? 0) >= 2 ? c : undefined;
      },
      120_000,
      "misses counted for the silent validator",
    );
    expect(Number(counted.windows)).toBeGreaterThanOrEqual(Number(counted.misses));

    // Scan every block's results from here for the penalty (a full slash window of misses is needed).
    const penalties: Ev[] = [];
    const slashes: Ev[] = [];
    let next = await latestHeight(rpc0);
    await waitFor(
      async () => {
        const top = await latestHeight(rpc0);
        for (; next <= top; next++) {
          const r = await rpc(rpc0, "block_results", { height: String(next) });
          const evs = (r.finalize_block_events ?? []) as Ev[];
          penalties.push(...evs.filter((e) => e.type === "oracle_miss_penalty"));
          slashes.push(...evs.filter((e) => e.type === "slash" && attr(e, "reason") === "oracle_miss"));
        }
        return penalties.length > 0 ? true : undefined;
      },
      180_000,
      "an oracle_miss_penalty event",
    );
    expect(penalties.map((e) => attr(e, "validator"))).toEqual([silent]);
    expect(Number(attr(penalties[0]!, "misses"))).toBe(Number(attr(penalties[0]!, "windows")));
    expect(BigInt(attr(penalties[0]!, "slashed") ?? "0")).toBeGreaterThan(0n);
    expect(slashes.map((e) => attr(e, "address"))).toEqual([silent]);
    // Jailed: CometBFT drops it from the validator set; the chain goes on with the other three.
    const vs = await waitFor(
      async () => {
        const r = await rpc(rpc0, "validators", {});
        const list = (r.validators ?? []) as { address: string }[];
        return list.length === VALIDATORS - 1 ? list : undefined;
      },
      60_000,
      "three validators left",
    );
    expect(vs.map((v) => v.address.toUpperCase())).not.toContain(silent);
    const h = await latestHeight(rpc0);
    await waitFor(async () => ((await latestHeight(rpc0)) > h + 2 ? true : undefined), 60_000, "blocks go on");
  });

  it("CometBFT indexes the injected vote-extension item like a tx; it is recognisable and labelled", async () => {
    type Indexed = { index: number; tx: string; tx_result: { code?: number; log?: string } };
    const h = (await latestHeight(rpc0)) - 1; // indexed once committed
    const first = await waitFor(
      async () => {
        const r = await rpc(rpc0, "tx_search", { query: JSON.stringify(`tx.height=${h}`), per_page: "10" });
        return ((r.txs ?? []) as Indexed[])[0];
      },
      30_000,
      "the indexed injected item",
    );
    expect(first.index).toBe(0);
    expect(isInjectedCommit(Buffer.from(first.tx, "base64"))).toBe(true);
    expect(first.tx_result).toMatchObject({ log: "vote extensions" });
    expect(first.tx_result.code ?? 0).toBe(0);
  });
});
