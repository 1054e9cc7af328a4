// Property (fast-check): whatever the sequence of fee blocks, power changes (a validator joining, leaving,
// re-weighting between periods) and withdrawals (twice in a row included), distribution never pays out more
// than it collected less the community tax, rounding dust never mints money, and the books balance exactly.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Amount } from "../../chain-app/coins.js";
import { unmeteredContext } from "../../chain-app/context.js";
import { ChainStore } from "../../chain-app/store/chainStore.js";
import { ModuleAccount, moduleAddressBytes } from "../auth/moduleAccounts.js";
import { DistributionKeeper, SCALE } from "./keeper.js";

/** A bank that only moves what is there (a negative balance throws), in one denom. */
class FakeBank {
  readonly balances = new Map<string, bigint>();
  private key = (a: Uint8Array | string) => (typeof a === "string" ? `m:${a}` : Buffer.from(a).toString("hex"));
  get(a: Uint8Array | string): bigint {
    return this.balances.get(this.key(a)) ?? 0n;
  }
  add(a: Uint8Array | string, v: bigint): void {
    const next = this.get(a) + v;
    if (next < 0n) throw new Error("insufficient funds");
    this.balances.set(this.key(a), next);
  }
  getBalance = (_: unknown, addr: Uint8Array) =>
    Buffer.compare(addr, moduleAddressBytes(ModuleAccount.FeeCollector)) === 0
      ? this.get(ModuleAccount.FeeCollector)
      : this.get(addr);
  sendFromModuleToModule = (_: unknown, from: string, to: string, a: readonly Amount[]) => {
    this.add(from, -a[0]!.amount);
    this.add(to, a[0]!.amount);
  };
  sendFromModuleToAccount = (_: unknown, from: string, to: Uint8Array, a: readonly Amount[]) => {
    this.add(from, -a[0]!.amount);
    this.add(to, a[0]!.amount);
  };
}

const OPS = 4;
const ops = [...Array(OPS)].map((_, i) => Uint8Array.of(...Array(20).fill(i + 1)));
const op = fc.oneof(
  fc.record({ k: fc.constant("fees" as const), amount: fc.bigInt({ min: 0n, max: 10n ** 12n }) }),
  fc.record({ k: fc.constant("power" as const), v: fc.nat(OPS - 1), power: fc.bigInt({ min: 0n, max: 10n ** 9n }) }),
  fc.record({ k: fc.constant("withdraw" as const), v: fc.nat(OPS - 1) }),
);

describe("distribution conserves money (property)", () => {
  it("Σ paid ≤ collected − community, exact books, and no validator is paid beyond its exact share", () => {
    const store = ChainStore.open(join(mkdtempSync(join(tmpdir(), "distr-prop-")), "s.sqlite"));
    try {
      fc.assert(
        fc.property(fc.array(op, { maxLength: 60 }), fc.bigInt({ min: 0n, max: 1_000_000n }), (steps, taxPpm) => {
          const ctx = unmeteredContext(
            store.branch(),
            { chainId: "t", height: 1n, timeSeconds: 1n, timeNanos: 0, proposer: new Uint8Array() },
            "finalize",
          );
          const bank = new FakeBank();
          const k = new DistributionKeeper(bank as never, {} as never);
          k.setParams(ctx, { denom: "unusa", communityTaxPpm: taxPpm });
          // Exact rational entitlement per validator: Σ over blocks of rest · power / totalPower.
          const exact = ops.map(() => ({ num: 0n, den: 1n }));
          const powers = ops.map(() => 0n);
          let undistributed = 0n; // whole units collected while nobody had power (carried to the next block)
          const paid = ops.map(() => 0n);
          for (const s of steps) {
            if (s.k === "fees") {
              bank.add(ModuleAccount.FeeCollector, s.amount);
              const before = bank.get(ModuleAccount.Treasury);
              k.allocate(ctx);
              const rest = s.amount - (bank.get(ModuleAccount.Treasury) - before);
              const total = powers.reduce((a, b) => a + b, 0n);
              if (total === 0n) undistributed += rest;
              else {
                const amount = rest + undistributed;
                undistributed = 0n;
                for (const [i, p] of powers.entries()) {
                  const e = exact[i]!;
                  exact[i] = { num: e.num * total + amount * p * e.den, den: e.den * total };
                }
              }
            } else if (s.k === "power") {
              k.setPower(ctx, ops[s.v]!, s.power);
              powers[s.v] = s.power;
            } else paid[s.v]! += k.withdraw(ctx, ops[s.v]!);
            const pool = k.getPool(ctx);
            const totalPaid = paid.reduce((a, b) => a + b, 0n);
            expect(pool.paid).toBe(totalPaid);
            expect(totalPaid).toBeLessThanOrEqual(pool.collected - pool.community);
            expect(bank.get(ModuleAccount.Distribution)).toBe(pool.collected - pool.community - totalPaid);
            const outstanding = ops.reduce((a, o) => a + k.outstanding(ctx, o), 0n);
            expect(outstanding + pool.carry + totalPaid * SCALE).toBe((pool.collected - pool.community) * SCALE);
            for (const [i, e] of exact.entries()) expect(paid[i]! * e.den).toBeLessThanOrEqual(e.num);
          }
          // A second withdrawal right after the first pays nothing.
          for (const o of ops) {
            k.withdraw(ctx, o);
            expect(k.withdraw(ctx, o)).toBe(0n);
          }
        }),
        { numRuns: 200 },
      );
    } finally {
      store.close();
    }
  });
});
