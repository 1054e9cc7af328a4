/**
 * CheckTx and RECHECK build no events (their answers carry none) while FinalizeBlock and simulation keep
 * every one; gas does not depend on events, so a tx uses the same gas in CheckTx as in FinalizeBlock.
 */
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { afterEach, describe, expect, it } from "vitest";
import { Context } from "../chain-app/context.js";
import { GasMeter } from "../chain-app/gas.js";
import { fromHex } from "../common/hash.js";
import { secp256k1KeyPair } from "../common/secp256k1.js";
import { CHAIN_ID, TestChain } from "../test/support/testChain.js";
import { addressOf, buildTx, sendMsg } from "../test/support/txBuilder.js";

const alice = secp256k1KeyPair(fromHex("71".repeat(32)));
const CAROL = addressOf(secp256k1KeyPair(fromHex("73".repeat(32))));

let chain: TestChain | undefined;
afterEach(() => {
  chain?.close();
  chain = undefined;
});

const eventTypes = (events: readonly { type: string }[] | undefined) => (events ?? []).map((e) => e.type);

describe("events by mode", () => {
  it("a context drops events only in check and recheck", () => {
    const block = { chainId: "x", height: 1n, timeSeconds: 0n, timeNanos: 0, proposer: new Uint8Array() };
    for (const mode of ["check", "recheck", "finalize", "simulate", "genesis", "query"] as const) {
      const ctx = new Context(undefined as never, new GasMeter(undefined), block, mode);
      ctx.emit({ type: "t", attributes: [] });
      const keeps = mode !== "check" && mode !== "recheck";
      expect(ctx.recordsEvents, mode).toBe(keeps);
      expect(ctx.events.length, mode).toBe(keeps ? 1 : 0);
    }
  });

  it("CheckTx, RECHECK, simulation and FinalizeBlock use the same gas; simulation and FinalizeBlock keep the SDK's events", () => {
    const c = TestChain.start({ balances: [{ address: addressOf(alice), amount: 1_000_000_000n }] });
    chain = c;
    c.block();
    const tx = buildTx({
      key: alice,
      chainId: CHAIN_ID,
      accountNumber: c.accountNumber(addressOf(alice)),
      sequence: 0n,
      msgs: [sendMsg(addressOf(alice), CAROL, 100n)],
      gasLimit: 100_000n,
      fee: [{ denom: "unusa", amount: "2500" }],
    });
    const sim = c.app.query({
      path: "/cosmos.tx.v1beta1.Service/Simulate",
      data: SimulateRequest.encode({ txBytes: tx }).finish(),
      height: 0n,
      prove: false,
    });
    expect(sim.code ?? 0).toBe(0);
    const simulated = SimulateResponse.decode(sim.value!);
    const check = c.app.checkTx({ tx, type: CheckTxType.NEW });
    expect(check.code ?? 0).toBe(0);
    c.block([]); // a fresh check state, so the same tx rechecks at its sequence
    const recheck = c.app.checkTx({ tx, type: CheckTxType.RECHECK });
    expect(recheck.code ?? 0).toBe(0);
    const fin = c.block([tx]).txResults[0]!;
    expect(fin.code).toBe(0);
    expect(check.gasUsed).toBe(fin.gasUsed);
    expect(recheck.gasUsed).toBeGreaterThan(0n);
    expect(simulated.gasInfo!.gasUsed).toBeGreaterThanOrEqual(fin.gasUsed);
    for (const events of [fin.events, simulated.result!.events]) {
      const types = eventTypes(events);
      for (const t of ["tx", "message", "coin_spent", "coin_received", "transfer"]) expect(types).toContain(t);
      const attrs = events.flatMap((e) => e.attributes.map((a) => a.key));
      for (const k of ["fee", "fee_payer", "acc_seq", "signature", "action", "sender", "module"])
        expect(attrs).toContain(k);
    }
    expect(c.balance(CAROL)).toBe(100n);
  });
});
