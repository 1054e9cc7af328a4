import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { fromHex, toHex } from "../../common/hash.js";
import { secp256k1KeyPair } from "../../common/secp256k1.js";
import { NodeStatus } from "../../proto/gen/dsdn/nodes/v1/nodes.js";
import { QueryNodeRequest, QueryNodeResponse } from "../../proto/gen/dsdn/nodes/v1/query.js";
import {
  QueryGetSlashingStatusRequest,
  QueryGetSlashingStatusResponse,
} from "../../proto/gen/dsdn/slashing/v1/query.js";
import { NodeFault } from "../../proto/gen/dsdn/slashing/v1/slashing.js";
import { QueryGetStakeRequest, QueryGetStakeResponse } from "../../proto/gen/dsdn/stake/v1/query.js";
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
  unjailMsg,
} from "../../test/support/testChain.js";
import { addressOf } from "../../test/support/txBuilder.js";
import { ModuleAccount, moduleAddress } from "../auth/moduleAccounts.js";
import { consensusAddress } from "../stake/keeper.js";

const val0 = secp256k1KeyPair(fromHex("71".repeat(32)));
const alice = secp256k1KeyPair(fromHex("72".repeat(32)));
const authority = secp256k1KeyPair(fromHex("73".repeat(32)));
const bob = secp256k1KeyPair(fromHex("74".repeat(32)));
const VAL0 = addressOf(val0);
const ALICE = addressOf(alice);
const AUTH = addressOf(authority);
const BOB = addressOf(bob);
const cons0 = ed25519KeyPair(new Uint8Array(32).fill(0x81));
const consA = ed25519KeyPair(new Uint8Array(32).fill(0x82));
const bobNode = nodeKey(0x91);
const TREASURY = moduleAddress(ModuleAccount.Treasury);

const WINDOW = 10n;
const COOLDOWN = 60n;
const JAIL = 30n;

let chain: TestChain;
beforeEach(() => {
  chain = TestChain.start({
    balances: [VAL0, ALICE, AUTH, BOB].map((address) => ({ address, amount: 100_000n * NUSA })),
    bondedPool: 100n * NUSA,
    appState: {
      stake: {
        params: { minValidatorSelfBond: (10n * NUSA).toString(), unbondingPeriodSeconds: "1000" },
        validators: [
          {
            operator: VAL0,
            consensusPubkey: Buffer.from(cons0.publicKey).toString("base64"),
            moniker: "node0",
            tokens: (100n * NUSA).toString(),
          },
        ],
      },
      slashing: {
        params: {
          signedBlocksWindow: WINDOW.toString(),
          minSignedPerWindowPpm: "500000",
          downtimeJailSeconds: JAIL.toString(),
          nodeCooldownSeconds: COOLDOWN.toString(),
          maliceThreshold: "3",
          maliceWindowSeconds: "10000",
          banSeconds: "2592000",
          faultAuthority: AUTH,
        },
      },
    },
  });
  chain.block();
});
afterEach(() => chain.close());

const status = (address: string) =>
  chain.query(
    "/dsdn.slashing.v1.Query/GetSlashingStatus",
    QueryGetSlashingStatusRequest,
    { address },
    QueryGetSlashingStatusResponse,
  );
const stakeOf = (address: string) =>
  chain.query("/dsdn.stake.v1.Query/GetStake", QueryGetStakeRequest, { address }, QueryGetStakeResponse);
const nodeOf = (id: Uint8Array) =>
  chain.query("/dsdn.nodes.v1.Query/Node", QueryNodeRequest, { nodeId: Buffer.from(id) }, QueryNodeResponse).node!;
const vote = (pub: Uint8Array, signed: boolean, power = 10n) => ({
  validator: { address: consensusAddress(pub), power },
  blockIdFlag: signed ? BlockIDFlag.BLOCK_ID_FLAG_COMMIT : BlockIDFlag.BLOCK_ID_FLAG_ABSENT,
});

describe("validator slashing", () => {
  it("slashes, jails and tombstones a double signer from CometBFT misbehavior", () => {
    const treasury = chain.balance(TREASURY);
    const r = chain.block([], {
      misbehavior: [
        {
          type: 1, // DUPLICATE_VOTE
          validator: { address: consensusAddress(cons0.publicKey), power: 100n },
          height: chain.height - 1n,
          time: { seconds: chain.time, nanos: 0 },
          totalVotingPower: 100n,
        },
      ],
    });
    expect(r.validatorUpdates.map((u) => [toHex(u.pubKey.ed25519!), u.power])).toEqual([[toHex(cons0.publicKey), 0n]]);
    expect(stakeOf(VAL0).validatorTokens).toBe((95n * NUSA).toString()); // 5%
    expect(chain.balance(TREASURY) - treasury).toBe(5n * NUSA);
    const s = status(VAL0);
    expect(s).toMatchObject({ jailed: true, tombstoned: true, totalSlashed: (5n * NUSA).toString() });
    expect(s.offences.map((o) => o.kind)).toEqual(["double_sign"]);
    // The same evidence again (CometBFT may repeat it) does not slash twice; unjail is impossible.
    chain.block([], {
      misbehavior: [
        {
          type: 1,
          validator: { address: consensusAddress(cons0.publicKey), power: 100n },
          height: 1n,
          time: { seconds: chain.time, nanos: 0 },
          totalVotingPower: 100n,
        },
      ],
    });
    expect(stakeOf(VAL0).validatorTokens).toBe((95n * NUSA).toString());
    expect(chain.exec(val0, [unjailMsg(VAL0)], { dt: 100_000n })).toMatchObject({ code: 5, codespace: "slashing" });
  });

  it("slashes and jails for downtime over the sliding window, then unjails after the jail period", () => {
    expect(chain.exec(alice, [createValidatorMsg(ALICE, consA.publicKey, 20n * NUSA)]).code).toBe(0);
    // Signs the first full window, then goes offline: more than 50% of the window missed → jailed.
    for (let i = 0n; i < WINDOW; i++)
      chain.block([], { votes: [vote(cons0.publicKey, true), vote(consA.publicKey, true)] });
    expect(status(ALICE).signingInfo!.missedBlocksCounter).toBe(0n);
    let jailedAt = -1;
    for (let i = 0; i < 8; i++) {
      const r = chain.block([], { votes: [vote(cons0.publicKey, true), vote(consA.publicKey, false)] });
      if (r.validatorUpdates.length) {
        jailedAt = i;
        expect(r.validatorUpdates.map((u) => [toHex(u.pubKey.ed25519!), u.power])).toEqual([
          [toHex(consA.publicKey), 0n],
        ]);
        break;
      }
    }
    expect(jailedAt).toBe(5); // the 6th miss exceeds max missed = 10 - 5
    const s = status(ALICE);
    expect(s).toMatchObject({ jailed: true, tombstoned: false });
    expect(s.jailedUntil).toBe(chain.time + JAIL);
    expect(stakeOf(ALICE).validatorTokens).toBe((20n * NUSA - 2_000n).toString()); // 0.01%
    // Votes of a jailed validator no longer count; the genesis validator was never touched.
    expect(status(VAL0)).toMatchObject({ jailed: false, totalSlashed: "0" });
    const early = chain.exec(alice, [unjailMsg(ALICE)], { dt: 1n });
    expect(early).toMatchObject({ code: 4, codespace: "slashing" });
    // CheckTx judges as of the last block's time, so the mempool refuses the early unjail too.
    expect(chain.check(chain.tx(alice, [unjailMsg(ALICE)])).code).toBe(4);
    const r = chain.block([chain.tx(alice, [unjailMsg(ALICE)])], { dt: JAIL });
    expect(r.txResults[0]!.code).toBe(0);
    expect(r.validatorUpdates.map((u) => [toHex(u.pubKey.ed25519!), u.power])).toEqual([[toHex(consA.publicKey), 19n]]);
    expect(status(ALICE)).toMatchObject({ jailed: false });
    expect(chain.exec(alice, [unjailMsg(ALICE)]).code).toBe(3);
    expect(chain.exec(bob, [unjailMsg(BOB)]).code).toBe(2);
  });
});

describe("node faults", () => {
  beforeEach(() => {
    expect(chain.exec(bob, [bondNodeMsg(BOB, NodeClass.NODE_CLASS_REGULAR, 600n * NUSA)]).code).toBe(0);
    expect(chain.exec(bob, [registerMsg(BOB, bobNode)]).code).toBe(0);
    expect(nodeOf(bobNode.publicKey).status).toBe(NodeStatus.NODE_STATUS_ACTIVE);
  });

  it("accepts fault reports only from the genesis fault authority", () => {
    const r = chain.exec(alice, [reportFaultMsg(ALICE, bobNode.publicKey, NodeFault.NODE_FAULT_LIVENESS, "e1")]);
    expect(r).toMatchObject({ code: 6, codespace: "slashing" });
    expect(chain.exec(bob, [reportFaultMsg(BOB, bobNode.publicKey, NodeFault.NODE_FAULT_LIVENESS, "e1")]).code).toBe(6);
    expect(stakeOf(BOB).nodeStake).toBe((600n * NUSA).toString());
    const unknown = chain.exec(authority, [
      reportFaultMsg(AUTH, nodeKey(1).publicKey, NodeFault.NODE_FAULT_LIVENESS, "e"),
    ]);
    expect(unknown.code).toBe(7);
    expect(chain.exec(authority, [reportFaultMsg(AUTH, bobNode.publicKey, 0 as NodeFault, "e")]).code).toBe(8);
    expect(
      chain.exec(authority, [reportFaultMsg(AUTH, bobNode.publicKey, NodeFault.NODE_FAULT_LIVENESS, "")]).code,
    ).toBe(10);
  });

  it("slashes by fault (0.5% / 5% / 10%) to the treasury and enforces the cooldown even after a top-up", () => {
    const treasury = chain.balance(TREASURY);
    const r = chain.exec(authority, [
      reportFaultMsg(AUTH, bobNode.publicKey, NodeFault.NODE_FAULT_LIVENESS, "missed 3 probes"),
    ]);
    expect(r.code).toBe(0);
    const cooldownEnds = chain.time + COOLDOWN;
    expect(stakeOf(BOB).nodeStake).toBe((597n * NUSA).toString()); // 600 − 0.5%
    // The slash, plus distribution's 2% community tax on the report's 10 000 unusa fee.
    expect(chain.balance(TREASURY) - treasury).toBe(3n * NUSA + 200n);
    expect(nodeOf(bobNode.publicKey)).toMatchObject({
      status: NodeStatus.NODE_STATUS_QUARANTINED,
      statusReason: "cooldown",
    });
    expect(status(BOB)).toMatchObject({ inCooldown: true, cooldownUntil: cooldownEnds, banned: false });
    // The same evidence cannot be reported twice.
    expect(
      chain.exec(authority, [reportFaultMsg(AUTH, bobNode.publicKey, NodeFault.NODE_FAULT_LIVENESS, "missed 3 probes")])
        .code,
    ).toBe(9);
    // More stake does not shorten the cooldown; re-registering does not either.
    expect(chain.exec(bob, [bondNodeMsg(BOB, NodeClass.NODE_CLASS_REGULAR, 100n * NUSA)]).code).toBe(0);
    expect(chain.exec(bob, [registerMsg(BOB, bobNode, { zone: "id-sby-1" })]).code).toBe(0);
    expect(nodeOf(bobNode.publicKey)).toMatchObject({ status: NodeStatus.NODE_STATUS_QUARANTINED, zone: "id-sby-1" });
    while (chain.time + 5n < cooldownEnds) {
      chain.block([], { dt: 5n });
      expect(nodeOf(bobNode.publicKey).status).toBe(NodeStatus.NODE_STATUS_QUARANTINED);
    }
    chain.block([], { dt: cooldownEnds - chain.time });
    expect(nodeOf(bobNode.publicKey)).toMatchObject({ status: NodeStatus.NODE_STATUS_ACTIVE, statusReason: "" });
    expect(status(BOB).inCooldown).toBe(false);

    // 5% and 10% of what is bonded then (697 NUSA).
    expect(
      chain.exec(authority, [reportFaultMsg(AUTH, bobNode.publicKey, NodeFault.NODE_FAULT_DATA_CORRUPTION, "c1")]).code,
    ).toBe(0);
    expect(stakeOf(BOB).nodeStake).toBe((697n * NUSA - 34_850_000n).toString());
    const before = BigInt(stakeOf(BOB).nodeStake);
    expect(
      chain.exec(authority, [reportFaultMsg(AUTH, bobNode.publicKey, NodeFault.NODE_FAULT_COMPUTE_FRAUD, "f1")]).code,
    ).toBe(0);
    expect(BigInt(stakeOf(BOB).nodeStake)).toBe(before - before / 10n);
    expect(status(BOB).offences.map((o) => o.kind)).toEqual(["liveness", "data_corruption", "compute_fraud"]);
  });

  it("a slash below the class minimum leaves the node quarantined for stake after the cooldown", () => {
    const infraction = chain.height;
    expect(chain.exec(bob, [unbondMsg(BOB, BondKind.BOND_KIND_NODE, 100n * NUSA)]).code).toBe(0);
    expect(
      chain.exec(authority, [reportFaultMsg(AUTH, bobNode.publicKey, NodeFault.NODE_FAULT_LIVENESS, "x", infraction)])
        .code,
    ).toBe(0);
    // The unbonding began after the fault, so it is still slashable: 0.5% of 100 NUSA taken from it too.
    const s = stakeOf(BOB);
    expect(s.nodeStake).toBe((500n * NUSA - 2_500_000n).toString());
    expect(s.unbonding).toBe((100n * NUSA - 500_000n).toString());
    chain.block([], { dt: COOLDOWN });
    expect(nodeOf(bobNode.publicKey)).toMatchObject({
      status: NodeStatus.NODE_STATUS_QUARANTINED,
      statusReason: "insufficient_stake",
    });
  });

  it("repeated malice: forced unbond and a 30-day ban; re-registration refused until it ends", () => {
    for (const e of ["a", "b"])
      expect(
        chain.exec(authority, [reportFaultMsg(AUTH, bobNode.publicKey, NodeFault.NODE_FAULT_DATA_CORRUPTION, e)]).code,
      ).toBe(0);
    // Liveness faults are not malice: they never count toward the ban.
    expect(
      chain.exec(authority, [reportFaultMsg(AUTH, bobNode.publicKey, NodeFault.NODE_FAULT_LIVENESS, "l")]).code,
    ).toBe(0);
    expect(nodeOf(bobNode.publicKey).status).toBe(NodeStatus.NODE_STATUS_QUARANTINED);
    const r = chain.exec(authority, [reportFaultMsg(AUTH, bobNode.publicKey, NodeFault.NODE_FAULT_COMPUTE_FRAUD, "c")]);
    expect(r.code).toBe(0);
    const bannedUntil = chain.time + 2_592_000n;
    expect(nodeOf(bobNode.publicKey)).toMatchObject({ status: NodeStatus.NODE_STATUS_BANNED, bannedUntil });
    const st = stakeOf(BOB);
    expect(st.nodeStake).toBe("0");
    expect(BigInt(st.unbonding)).toBeGreaterThan(0n);
    expect(status(BOB)).toMatchObject({ banned: true, offencesInWindow: 3n });
    expect(chain.exec(bob, [bondNodeMsg(BOB, NodeClass.NODE_CLASS_REGULAR, 600n * NUSA)]).code).toBe(0);
    expect(chain.exec(bob, [registerMsg(BOB, bobNode)])).toMatchObject({ code: 9, codespace: "nodes" });
    expect(nodeOf(bobNode.publicKey).status).toBe(NodeStatus.NODE_STATUS_BANNED);
    chain.block([], { dt: bannedUntil - chain.time });
    expect(nodeOf(bobNode.publicKey).status).toBe(NodeStatus.NODE_STATUS_ACTIVE);
    // Once the ban is over the node may register again (mempool and block).
    expect(chain.check(chain.tx(bob, [registerMsg(BOB, bobNode, { zone: "id-bdg-1" })])).code).toBe(0);
    expect(chain.exec(bob, [registerMsg(BOB, bobNode, { zone: "id-bdg-1" })]).code).toBe(0);
  });
});
