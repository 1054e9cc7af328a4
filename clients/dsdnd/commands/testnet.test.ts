// `dsdnd testnet init`'s subsidy clock flags: a short month and challenge period/deadline land in the genesis
// subsidy params (nothing else changes), the module defaults stay when they are not given, and a deadline not
// shorter than the period or a non-number is refused with a clear error before any home is written.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { defaultAppState } from "../../../app/buildApp.js";
import { runCli } from "../../../common/cli.js";
import { testnet } from "./testnet.js";

let dir: string;
let stderr: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "testnet-cli-"));
  stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const init = (...flags: string[]) => runCli("dsdnd", testnet, ["init", "--output", dir, "--validators", "1", ...flags]);
const subsidyParams = () =>
  JSON.parse(readFileSync(join(dir, "node0", "config", "genesis.json"), "utf8")).app_state.subsidy.params;
const defaults = (defaultAppState() as { subsidy: { params: Record<string, string> } }).subsidy.params;

describe("dsdnd testnet init: the subsidy's clock", () => {
  it("writes a short month and challenge period/deadline into genesis, the rest of the params unchanged", async () => {
    const code = await init(
      "--subsidy-month-seconds",
      "120",
      "--subsidy-challenge-period-seconds",
      "10",
      "--subsidy-challenge-deadline-seconds",
      "6",
    );
    expect(code, stderr).toBe(0);
    expect(subsidyParams()).toEqual({
      ...defaults,
      monthSeconds: "120",
      challengePeriodSeconds: "10",
      challengeDeadlineSeconds: "6",
    });
  });

  it("keeps the module's defaults when the flags are not given", async () => {
    expect(await init(), stderr).toBe(0);
    expect(subsidyParams()).toEqual(defaults);
    expect(defaults.monthSeconds).toBe("2592000");
  });

  it("funds the subsidy pool at genesis only when asked", async () => {
    const pool = (await import("../../../modules/auth/moduleAccounts.js")).moduleAddress("subsidy_pool");
    const poolBalance = () =>
      JSON.parse(readFileSync(join(dir, "node0", "config", "genesis.json"), "utf8")).app_state.bank.balances.find(
        (b: { address: string }) => b.address === pool,
      )?.coins;
    expect(await init(), stderr).toBe(0);
    expect(poolBalance()).toBeUndefined();
    rmSync(dir, { recursive: true, force: true });
    expect(await init("--subsidy-pool-unusa", "5000000000"), stderr).toBe(0);
    expect(poolBalance()).toEqual([{ denom: "unusa", amount: "5000000000" }]);
  });

  it.each([
    [["--subsidy-pool-unusa", "1.5"], /--subsidy-pool-unusa must be/],
    [
      ["--subsidy-challenge-period-seconds", "10", "--subsidy-challenge-deadline-seconds", "10"],
      /less than challengePeriod/,
    ],
    [["--subsidy-challenge-period-seconds", "300"], /less than challengePeriod/], // the 600 s default deadline
    [["--subsidy-month-seconds", "0"], /--subsidy-month-seconds must be 1\.\./],
    [["--subsidy-month-seconds", "2m"], /--subsidy-month-seconds must be 1\.\./],
    [["--subsidy-month-seconds", String(367 * 86_400)], /monthSeconds/],
  ])("refuses %j", async (flags, why) => {
    expect(await init(...flags)).not.toBe(0);
    expect(stderr).toMatch(why);
    expect(existsSync(join(dir, "node0", "config", "genesis.json"))).toBe(false);
  });
});
