import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../common/hash.js";
import { secp256k1KeyPair } from "../../common/secp256k1.js";
import { NodeStatus } from "../../proto/gen/dsdn/nodes/v1/nodes.js";
import {
  QueryGetNodeClassRequest,
  QueryGetNodeClassResponse,
  QueryNodeRequest,
  QueryNodeResponse,
  QueryNodesRequest,
  QueryNodesResponse,
} from "../../proto/gen/dsdn/nodes/v1/query.js";
import { MsgRegisterNode } from "../../proto/gen/dsdn/nodes/v1/tx.js";
import {
  BondKind,
  bondNodeMsg,
  NodeClass,
  NUSA,
  nodeKey,
  registerMsg,
  TestChain,
  unbondMsg,
} from "../../test/support/testChain.js";
import { addressOf } from "../../test/support/txBuilder.js";
import { deriveStatus } from "./keeper.js";

const alice = secp256k1KeyPair(fromHex("51".repeat(32)));
const mallory = secp256k1KeyPair(fromHex("52".repeat(32)));
const carol = secp256k1KeyPair(fromHex("53".repeat(32)));
const ALICE = addressOf(alice);
const MALLORY = addressOf(mallory);
const CAROL = addressOf(carol);
const aliceNode = nodeKey(0x61);
const malloryNode = nodeKey(0x62);
const carolNode = nodeKey(0x63);

let chain: TestChain;
beforeEach(() => {
  chain = TestChain.start({
    balances: [ALICE, MALLORY, CAROL].map((address) => ({ address, amount: 100_000n * NUSA })),
  });
  chain.block();
});
afterEach(() => chain.close());

const nodeClass = (address: string) =>
  chain.query("/dsdn.nodes.v1.Query/GetNodeClass", QueryGetNodeClassRequest, { address }, QueryGetNodeClassResponse);
const node = (id: Uint8Array) =>
  chain.query("/dsdn.nodes.v1.Query/Node", QueryNodeRequest, { nodeId: Buffer.from(id) }, QueryNodeResponse).node!;

describe("nodes", () => {
  it("rejects a node whose operator has no stake", () => {
    const r = chain.exec(alice, [registerMsg(ALICE, aliceNode)]);
    expect(r).toMatchObject({ code: 5, codespace: "nodes" });
    expect(r.log).toMatch(/no node stake/);
    expect(nodeClass(ALICE)).toMatchObject({ registered: false, class: NodeClass.NODE_CLASS_UNSPECIFIED });
    expect(
      chain.rawQuery("/dsdn.nodes.v1.Query/Node", QueryNodeRequest, { nodeId: Buffer.from(aliceNode.publicKey) }).code,
    ).toBe(22);
  });

  it("quarantines a node with too little stake; status follows every stake change", () => {
    expect(chain.exec(alice, [bondNodeMsg(ALICE, NodeClass.NODE_CLASS_REGULAR, 400n * NUSA)]).code).toBe(0);
    expect(chain.exec(alice, [registerMsg(ALICE, aliceNode)]).code).toBe(0);
    expect(node(aliceNode.publicKey)).toMatchObject({
      status: NodeStatus.NODE_STATUS_QUARANTINED,
      statusReason: "insufficient_stake",
      operator: ALICE,
      zone: "id-jkt-1",
    });
    expect(nodeClass(ALICE)).toMatchObject({ registered: true, class: NodeClass.NODE_CLASS_REGULAR });
    // Topping up to the class minimum activates it; dropping one unusa below quarantines it again.
    expect(chain.exec(alice, [bondNodeMsg(ALICE, NodeClass.NODE_CLASS_REGULAR, 100n * NUSA)]).code).toBe(0);
    expect(node(aliceNode.publicKey).status).toBe(NodeStatus.NODE_STATUS_ACTIVE);
    expect(chain.exec(alice, [unbondMsg(ALICE, BondKind.BOND_KIND_NODE, 1n)]).code).toBe(0);
    expect(node(aliceNode.publicKey)).toMatchObject({
      status: NodeStatus.NODE_STATUS_QUARANTINED,
      statusReason: "insufficient_stake",
    });
    expect(chain.exec(alice, [unbondMsg(ALICE, BondKind.BOND_KIND_NODE, 500n * NUSA - 1n)]).code).toBe(0);
    expect(node(aliceNode.publicKey)).toMatchObject({
      status: NodeStatus.NODE_STATUS_PENDING,
      statusReason: "no_stake",
    });
    // A data-center class registration needs a data-center bond.
    expect(chain.exec(carol, [bondNodeMsg(CAROL, NodeClass.NODE_CLASS_REGULAR, 5_000n * NUSA)]).code).toBe(0);
    const dc = chain.exec(carol, [registerMsg(CAROL, carolNode, { cls: NodeClass.NODE_CLASS_DATA_CENTER })]);
    expect(dc).toMatchObject({ code: 8, codespace: "nodes" });
  });

  it("refuses identity spoofing: wrong key, another operator's binding, another chain, tampered fields", () => {
    for (const k of [alice, mallory])
      expect(chain.exec(k, [bondNodeMsg(addressOf(k), NodeClass.NODE_CLASS_REGULAR, 500n * NUSA)]).code).toBe(0);
    const cases: [string, ReturnType<typeof registerMsg>][] = [
      ["signed by a key other than node_id", registerMsg(MALLORY, aliceNode, { signWith: malloryNode })],
      ["alice's node binding replayed by mallory", registerMsg(MALLORY, aliceNode, { signOperator: ALICE })],
      ["binding for another chain", registerMsg(MALLORY, malloryNode, { signChainId: "other-chain-1" })],
    ];
    for (const [name, msg] of cases) {
      const r = chain.exec(mallory, [msg]);
      expect(r.code, name).toBe(4);
      expect(r.codespace, name).toBe("nodes");
    }
    // A field changed after signing (endpoint) breaks the signature too.
    const good = registerMsg(MALLORY, malloryNode);
    const tampered = registerMsg(MALLORY, malloryNode, { endpoint: "https://evil.example:1" });
    const forged = { ...tampered, value: Buffer.from(tampered.value) };
    // Keep the tampered fields but the signature of the honest message.
    const m = MsgRegisterNode.decode(forged.value);
    m.nodeSignature = MsgRegisterNode.decode(good.value).nodeSignature;
    forged.value = Buffer.from(MsgRegisterNode.encode(m).finish());
    expect(chain.exec(mallory, [forged]).code).toBe(4);
    // Alice registers her own key; nobody else can take it, even with a binding alice's node signed for them.
    expect(chain.exec(alice, [registerMsg(ALICE, aliceNode)]).code).toBe(0);
    expect(node(aliceNode.publicKey).status).toBe(NodeStatus.NODE_STATUS_ACTIVE);
    expect(chain.exec(mallory, [registerMsg(MALLORY, aliceNode)]).code).toBe(6);
    // One node per operator.
    expect(chain.exec(alice, [registerMsg(ALICE, carolNode)]).code).toBe(7);
    expect(chain.exec(mallory, [good]).code).toBe(0);
  });

  it("lists nodes sorted by node_id, paginated and filtered by status", () => {
    for (const [k, n] of [
      [alice, aliceNode],
      [mallory, malloryNode],
      [carol, carolNode],
    ] as const) {
      const amount = k === carol ? 100n * NUSA : 500n * NUSA;
      expect(chain.exec(k, [bondNodeMsg(addressOf(k), NodeClass.NODE_CLASS_REGULAR, amount)]).code).toBe(0);
      expect(chain.exec(k, [registerMsg(addressOf(k), n)]).code).toBe(0);
    }
    const all = [aliceNode, malloryNode, carolNode].map((n) => toHex(n.publicKey)).sort();
    const p1 = chain.query(
      "/dsdn.nodes.v1.Query/Nodes",
      QueryNodesRequest,
      { pagination: { limit: 2n } },
      QueryNodesResponse,
    );
    const p2 = chain.query(
      "/dsdn.nodes.v1.Query/Nodes",
      QueryNodesRequest,
      { pagination: { key: p1.pagination!.nextKey, limit: 2n } },
      QueryNodesResponse,
    );
    expect([...p1.nodes, ...p2.nodes].map((n) => toHex(n.nodeId))).toEqual(all);
    expect(p2.pagination!.nextKey.length).toBe(0);
    const active = chain.query(
      "/dsdn.nodes.v1.Query/Nodes",
      QueryNodesRequest,
      { status: NodeStatus.NODE_STATUS_ACTIVE },
      QueryNodesResponse,
    );
    expect(active.nodes.map((n) => n.operator).sort()).toEqual([ALICE, MALLORY].sort());
  });

  it("derives status by priority: ban, cooldown, no stake, class, minimum", () => {
    const base = { class: NodeClass.NODE_CLASS_REGULAR, cooldownUntil: 0n, bannedUntil: 0n };
    const ok = { amount: 500n, class: NodeClass.NODE_CLASS_REGULAR, min: 500n };
    expect(deriveStatus(base, 10n, ok).status).toBe(NodeStatus.NODE_STATUS_ACTIVE);
    expect(deriveStatus({ ...base, bannedUntil: 11n, cooldownUntil: 11n }, 10n, ok).reason).toBe("banned");
    expect(deriveStatus({ ...base, bannedUntil: 10n, cooldownUntil: 11n }, 10n, ok).reason).toBe("cooldown");
    expect(deriveStatus({ ...base, cooldownUntil: 10n }, 10n, ok).status).toBe(NodeStatus.NODE_STATUS_ACTIVE);
    expect(deriveStatus(base, 10n, { ...ok, amount: 0n }).status).toBe(NodeStatus.NODE_STATUS_PENDING);
    expect(deriveStatus(base, 10n, { ...ok, class: NodeClass.NODE_CLASS_DATA_CENTER }).reason).toBe("class_mismatch");
    expect(deriveStatus(base, 10n, { ...ok, amount: 499n }).reason).toBe("insufficient_stake");
  });
});
