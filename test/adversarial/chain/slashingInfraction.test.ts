/**
 * @module Finding 6: slashing judges when the offence happened (unbondings that began before it are
 * not cut), unbonding entries are capped per owner, the validator set is capped (max_validators), and
 * end-block queues do a bounded amount of work per block.
 */

import { afterEach, describe, expect, it } from "vitest";
import { ed25519KeyPair } from "../../../common/ed25519.js";
import { fromHex, toHex } from "../../../common/hash.js";
import { secp256k1KeyPair } from "../../../common/secp256k1.js";
import { consensusAddress } from "../../../modules/stake/keeper.js";
import {
  BondKind,
  bondNodeMsg,
  createValidatorMsg,
  NodeClass,
  NUSA,
  nodeKey,
  registerMsg,
  reportFaultMsg,
  TestChain,
  unbondMsg,
} from "../../../modules/stake/testChain.js";
import { NodeFault } from "../../../proto/gen/dsdn/slashing/v1/slashing.js";
import { QueryGetStakeRequest, QueryGetStakeResponse } from "../../../proto/gen/dsdn/stake/v1/query.js";
import { addressOf } from "../../support/txBuilder.js";

const val0 = secp256k1KeyPair(fromHex("b1".repeat(32)));
const authority = secp256k1KeyPair(fromHex("b2".repeat(32)));
const bob = secp256k1KeyPair(fromHex("b3".repeat(32)));
const [VAL0, AUTH, BOB] = [val0, authority, bob].map(addressOf) as [string, string, string];
const cons0 = ed25519KeyPair(new Uint8Array(32).fill(0xc1));
const bobNode = nodeKey(0xc2);

let chain: TestChain;
afterEach(() => chain?.close());

function start(extra: { stake?: Record<string, unknown>; accounts?: string[] } = {}) {
  chain = TestChain.start({
    balances: [VAL0, AUTH, BOB, ...(extra.accounts ?? [])].map((address) => ({ address, amount: 100_000n * NUSA })),
    bondedPool: 100n * NUSA,
    appState: {
      stake: {
        params: { minValidatorSelfBond: (10n * NUSA).toString(), unbondingPeriodSeconds: "100000", ...extra.stake },
        validators: [
          {
            operator: VAL0,
            consensusPubkey: Buffer.from(cons0.publicKey).toString("base64"),
            moniker: "v0",
            tokens: (100n * NUSA).toString(),
          },
        ],
      },
      slashing: { params: { faultAuthority: AUTH } },
    },
  });
  chain.block();
}

const stakeOf = (address: string) =>
  chain.query("/dsdn.stake.v1.Query/GetStake", QueryGetStakeRequest, { address }, QueryGetStakeResponse);
const entryAmounts = (address: string) => stakeOf(address).unbondings.map((e) => e.amount);

describe("slashing judges the infraction height (finding 6)", () => {
  it("double-sign: unbondings that began before the offence keep their amount; later ones are cut", () => {
    start();
    expect(chain.exec(val0, [unbondMsg(VAL0, BondKind.BOND_KIND_VALIDATOR, 20n * NUSA)]).code).toBe(0);
    chain.block();
    const infraction = chain.height; // the offence happens after the first unbonding began
    chain.block();
    expect(chain.exec(val0, [unbondMsg(VAL0, BondKind.BOND_KIND_VALIDATOR, 10n * NUSA)]).code).toBe(0);
    chain.block([], {
      misbehavior: [
        {
          type: 1,
          validator: { address: consensusAddress(cons0.publicKey), power: 80n },
          height: infraction,
          time: { seconds: chain.time, nanos: 0 },
          totalVotingPower: 80n,
        },
      ],
    });
    // 5% of what was bonded at the infraction (80 NUSA): 0.5 from the later unbonding, 3.5 from the bond.
    expect(entryAmounts(VAL0)).toEqual([(20n * NUSA).toString(), ((95n * NUSA) / 10n).toString()]);
    expect(stakeOf(VAL0).validatorTokens).toBe((70n * NUSA - (35n * NUSA) / 10n).toString());
  });

  it("node fault: the report names the infraction height; an unbonding begun before it is not cut", () => {
    start();
    expect(chain.exec(bob, [bondNodeMsg(BOB, NodeClass.NODE_CLASS_REGULAR, 1000n * NUSA)]).code).toBe(0);
    expect(chain.exec(bob, [registerMsg(BOB, bobNode)]).code).toBe(0);
    expect(chain.exec(bob, [unbondMsg(BOB, BondKind.BOND_KIND_NODE, 100n * NUSA)]).code).toBe(0);
    chain.block();
    const infraction = chain.height;
    expect(chain.exec(bob, [unbondMsg(BOB, BondKind.BOND_KIND_NODE, 200n * NUSA)]).code).toBe(0);
    const r = chain.exec(authority, [
      reportFaultMsg(AUTH, bobNode.publicKey, NodeFault.NODE_FAULT_DATA_CORRUPTION, "bad bytes", infraction),
    ]);
    expect(r.code).toBe(0);
    // 5%: the 200 NUSA unbonding begun after the offence and the 700 still bonded; not the first 100.
    expect(entryAmounts(BOB)).toEqual([(100n * NUSA).toString(), (190n * NUSA).toString()]);
    expect(stakeOf(BOB).nodeStake).toBe((665n * NUSA).toString());
    // An infraction in the future, or older than the evidence age, is refused.
    const future = chain.exec(authority, [
      reportFaultMsg(AUTH, bobNode.publicKey, NodeFault.NODE_FAULT_LIVENESS, "later", chain.height + 5n),
    ]);
    expect(future).toMatchObject({ codespace: "slashing" });
    expect(future.code).not.toBe(0);
  });
});

describe("bounded unbonding entries and validator set (finding 6)", () => {
  it("an owner has at most 7 maturing unbonding entries; the 8th is refused with a clear error", () => {
    start();
    expect(chain.exec(bob, [bondNodeMsg(BOB, NodeClass.NODE_CLASS_REGULAR, 1000n * NUSA)]).code).toBe(0);
    for (let i = 0; i < 7; i++) expect(chain.exec(bob, [unbondMsg(BOB, BondKind.BOND_KIND_NODE, NUSA)]).code).toBe(0);
    const r = chain.exec(bob, [unbondMsg(BOB, BondKind.BOND_KIND_NODE, NUSA)]);
    expect(r).toMatchObject({ codespace: "stake" });
    expect(r.log).toMatch(/too many unbonding entries/);
    expect(stakeOf(BOB).unbondings).toHaveLength(7);
  });

  it("max_validators: only the top N by power are in CometBFT's set; the next one enters when one leaves", () => {
    const keys = [0xd1, 0xd2, 0xd3].map((b) => secp256k1KeyPair(new Uint8Array(32).fill(b)));
    const cons = [0xe1, 0xe2, 0xe3].map((b) => ed25519KeyPair(new Uint8Array(32).fill(b)));
    start({ stake: { maxValidators: "2" }, accounts: keys.map(addressOf) });
    const power = (r: { validatorUpdates: { pubKey: { ed25519?: Uint8Array }; power: bigint }[] }) =>
      r.validatorUpdates.map((u) => [toHex(u.pubKey.ed25519!), u.power]);
    // val0 has 100. A 200-NUSA validator enters and pushes nobody out (2 seats).
    let r = chain.block([
      chain.tx(keys[0]!, [createValidatorMsg(addressOf(keys[0]!), cons[0]!.publicKey, 200n * NUSA)]),
    ]);
    expect(power(r)).toEqual([[toHex(cons[0]!.publicKey), 200n]]);
    // A 50-NUSA validator is created but stays out of the set (no update for it).
    r = chain.block([chain.tx(keys[1]!, [createValidatorMsg(addressOf(keys[1]!), cons[1]!.publicKey, 50n * NUSA)])]);
    expect(r.txResults[0]!.code).toBe(0);
    expect(power(r)).toEqual([]);
    // A 300-NUSA validator enters; val0 (100) is now third and leaves with power 0.
    r = chain.block([chain.tx(keys[2]!, [createValidatorMsg(addressOf(keys[2]!), cons[2]!.publicKey, 300n * NUSA)])]);
    expect(new Map(power(r) as [string, bigint][])).toEqual(
      new Map([
        [toHex(cons[2]!.publicKey), 300n],
        [toHex(cons0.publicKey), 0n],
      ]),
    );
    // The 300 validator unbonds fully: val0 comes back; the 50 one stays out.
    r = chain.block([chain.tx(keys[2]!, [unbondMsg(addressOf(keys[2]!), BondKind.BOND_KIND_VALIDATOR, 300n * NUSA)])]);
    expect(new Map(power(r) as [string, bigint][])).toEqual(
      new Map([
        [toHex(cons[2]!.publicKey), 0n],
        [toHex(cons0.publicKey), 100n],
      ]),
    );
  });

  it("mature unbondings are paid a bounded number per block, in order, until the queue is empty", () => {
    const owners = Array.from({ length: 30 }, (_, i) => secp256k1KeyPair(new Uint8Array(32).fill(0x10 + i)));
    start({ stake: { maxUnbondingsPerBlock: "8" }, accounts: owners.map(addressOf) });
    for (const k of owners)
      expect(chain.exec(k, [bondNodeMsg(addressOf(k), NodeClass.NODE_CLASS_REGULAR, 600n * NUSA)]).code).toBe(0);
    const txs = owners.map((k) => chain.tx(k, [unbondMsg(addressOf(k), BondKind.BOND_KIND_NODE, 600n * NUSA)]));
    expect(chain.block(txs).txResults.every((t) => t.code === 0)).toBe(true);
    const pending = () => owners.filter((k) => stakeOf(addressOf(k)).unbondings.length > 0).length;
    expect(pending()).toBe(30);
    chain.block([], { dt: 100_000n }); // all 30 mature at once
    expect(pending()).toBe(22);
    const left = [22];
    while (pending() > 0) {
      chain.block();
      left.push(pending());
    }
    expect(left).toEqual([22, 14, 6, 0]);
  });
});
