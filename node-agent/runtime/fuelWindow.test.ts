/**
 * @module Fuel accounting past 2^30: the interpreter keeps its hot fuel counter below 2^30 and the rest in
 * a reserve; exhaustion, huge per-instruction costs and memory.grow's per-page charge must come out exactly
 * as plain arithmetic on the whole limit says.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_FUEL_COSTS, type FuelCosts } from "../../common/wasm/params.js";
import { runModule } from "../../common/wasm/run.js";
import { I32 } from "../../common/wasm/types.js";
import { fixture } from "./testing.js";

const kernels = fixture("kernels.wasm");
const W = 2 ** 30;

function spin(base: number, fuel: number) {
  const costs: FuelCosts = { ...DEFAULT_FUEL_COSTS, base };
  const r = runModule(kernels, { invoke: "spin", costs, limits: { fuel } });
  if (!r.ok) throw new Error(r.refusal.message);
  return r.report;
}

describe("fuel beyond the interpreter's 2^30 window", () => {
  it.each([
    [2 ** 29, 5 * 2 ** 29 + 7],
    [2 ** 20 + 1, 2 ** 31 + 12_345],
    [3 * W, 4 * 3 * W + 1],
    [3 * W, 4 * 3 * W - 1],
    [W, 3 * W],
  ])(
    "an endless loop at %d fuel per instruction with a limit of %d stops exactly when the limit cannot pay",
    (base, fuel) => {
      const r = spin(base, fuel);
      expect(r.trap).toBe("out of fuel");
      expect(r.steps).toBe(Math.floor(fuel / base));
      expect(r.fuelUsed).toBe(String(Math.floor(fuel / base) * base));
    },
  );

  it("memory.grow's per-page charge across the window: paid when the limit covers it, out of fuel when it does not", () => {
    const costs: FuelCosts = { ...DEFAULT_FUEL_COSTS, growPerPage: W };
    const grow = (fuel: number) => {
      const r = runModule(kernels, { invoke: "grow", args: [{ type: I32, value: 2 }], costs, limits: { fuel } });
      if (!r.ok) throw new Error(r.refusal.message);
      return r.report;
    };
    const ok = grow(3 * W);
    expect(ok.trap).toBeNull();
    expect(ok.results[0]?.value).toBe("17");
    // Every executed instruction costs 1 (base); the grow added 2 pages at W each.
    expect(Number(ok.fuelUsed)).toBe(ok.steps + 2 * W);
    const short = grow(Number(ok.fuelUsed) - 1);
    expect(short.trap).toBe("out of fuel");
  });
});
