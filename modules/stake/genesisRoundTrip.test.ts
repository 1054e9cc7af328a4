import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import { afterEach, describe, expect, it } from "vitest";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { fromHex, toHex } from "../../common/hash.js";
import { secp256k1KeyPair } from "../../common/secp256k1.js";
import { NodeFault } from "../../proto/gen/dsdn/slashing/v1/slashing.js";
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
} from "../../test/support/testChain.js";
import { addressOf } from "../../test/support/txBuilder.js";
import { consensusAddress } from "./keeper.js";

const val0 = secp256k1KeyPair(fromHex("a1".repeat(32)));
const alice = secp256k1KeyPair(fromHex("a2".repeat(32)));
const bob = secp256k1KeyPair(fromHex("a3".repeat(32)));
const auth = secp256k1KeyPair(fromHex("a4".repeat(32)));
const [VAL0, ALICE, BOB, AUTH] = [val0, alice, bob, auth].map(addressOf) as [string, string, string, string];
const cons0 = ed25519KeyPair(new Uint8Array(32).fill(0xb1));
const consA = ed25519KeyPair(new Uint8Array(32).fill(0xb2));

const chains: TestChain[] = [];
afterEach(() => {
  for (const c of chains.splice(0)) c.close();
});

describe("genesis export → import", () => {
  it("reproduces stake, nodes and slashing state: export(import(G)) = G and equal app hashes", () => {
    const a = TestChain.start({
      balances: [VAL0, ALICE, BOB, AUTH].map((address) => ({ address, amount: 100_000n * NUSA })),
      bondedPool: 50n * NUSA,
      appState: {
        stake: {
          params: { minValidatorSelfBond: (10n * NUSA).toString(), unbondingPeriodSeconds: "10000" },
          validators: [
            {
              operator: VAL0,
              consensusPubkey: Buffer.from(cons0.publicKey).toString("base64"),
              moniker: "node0",
              tokens: (50n * NUSA).toString(),
            },
          ],
        },
        slashing: { params: { signedBlocksWindow: "20", faultAuthority: AUTH, nodeCooldownSeconds: "5000" } },
      },
    });
    chains.push(a);
    const missing = {
      validator: { address: consensusAddress(consA.publicKey), power: 20n },
      blockIdFlag: BlockIDFlag.BLOCK_ID_FLAG_ABSENT,
    };
    a.block();
    expect(a.exec(alice, [createValidatorMsg(ALICE, consA.publicKey, 20n * NUSA)]).code).toBe(0);
    for (let i = 0; i < 3; i++) a.block([], { votes: [missing] });
    expect(a.exec(bob, [bondNodeMsg(BOB, NodeClass.NODE_CLASS_REGULAR, 700n * NUSA)]).code).toBe(0);
    expect(a.exec(bob, [registerMsg(BOB, nodeKey(0xc1))]).code).toBe(0);
    expect(a.exec(bob, [unbondMsg(BOB, BondKind.BOND_KIND_NODE, 50n * NUSA)]).code).toBe(0);
    expect(
      a.exec(auth, [reportFaultMsg(AUTH, nodeKey(0xc1).publicKey, NodeFault.NODE_FAULT_DATA_CORRUPTION, "ev")]).code,
    ).toBe(0);

    const g1 = a.exportAppState();
    const s = g1.stake as { validators: unknown[]; nodeStakes: unknown[]; unbondings: unknown[] };
    expect(s.validators).toHaveLength(2);
    expect(s.nodeStakes).toHaveLength(1);
    expect(s.unbondings).toHaveLength(1);
    expect((g1.nodes as { nodes: unknown[]; timers: unknown[] }).timers).toHaveLength(1);
    const sl = g1.slashing as { signingInfos: { missed: string[] }[]; records: unknown[]; evidence: unknown[] };
    expect(sl.signingInfos.find((x) => x.missed.length > 0)?.missed).toHaveLength(3);
    expect(sl.records).toHaveLength(1);
    expect(sl.evidence).toHaveLength(1);

    const b = new TestChain(g1);
    chains.push(b);
    b.init();
    b.block();
    const g2 = b.exportAppState();
    // Only auth differs: account sequences and public keys are not part of its genesis.
    for (const m of ["bank", "stake", "nodes", "slashing"]) expect(g2[m], m).toEqual(g1[m]);

    const c = new TestChain(g2);
    chains.push(c);
    c.init();
    const b2 = new TestChain(g1);
    chains.push(b2);
    b2.init();
    expect(toHex(c.initHash)).toBe(toHex(b2.initHash));
    expect(toHex(b.initHash)).toBe(toHex(b2.initHash));
    // The imported chain keeps working: the node's cooldown and the unbonding still run.
    expect(toHex(c.block().appHash as Uint8Array)).toBe(toHex(b2.block().appHash as Uint8Array));
  });
});
