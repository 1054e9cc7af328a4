/**
 * @module In-process fixture for the committee and receipts tests and the claim benchmark: a chain with n
 * validators running coordinators, a FROST committee (real DKG over the in-process transport) recorded on
 * chain, a staked Active storage node, and helpers that threshold-sign receipts and claim them.
 */

import { randomBytes } from "node:crypto";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { type Ed25519KeyPair, ed25519KeyPair, ed25519Sign } from "../../common/ed25519.js";
import { type FrostGroupInfo, groupInfoFromResult } from "../../common/frost/group.js";
import { fromHex } from "../../common/hash.js";
import { encodeMessage, packAny } from "../../common/protobuf.js";
import {
  nodeSigningMessage,
  RECEIPT_VERSION,
  receiptSigningMessage,
  storageCommitment,
} from "../../common/receipts/receiptBytes.js";
import { fromBech32Address, type Secp256k1KeyPair, secp256k1KeyPair } from "../../common/secp256k1.js";
import { proveEpochSeed, vrfPublicKeyFromIdentity } from "../../modules/committee/epochSeed.js";
import { signCoordinatorBinding } from "../../modules/committee/registerCoordinator.js";
import { usdToUnusa } from "../../modules/oracle/price.js";
import { defaultReceiptsParams, parseReceiptsParams, type ReceiptsParams } from "../../modules/receipts/params.js";
import { usdValueOf } from "../../modules/receipts/reward.js";
import { createLocalCommittee, type LocalCommittee } from "../../node-agent/coordinator/frost/localCommittee.js";
import type { Committee, SeedRequest } from "../../proto/gen/dsdn/committee/v1/committee.js";
import { DkgResult } from "../../proto/gen/dsdn/committee/v1/frost.js";
import {
  QueryCommitteeRequest,
  QueryCommitteeResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QuerySeedRequestRequest,
  QuerySeedRequestResponse,
} from "../../proto/gen/dsdn/committee/v1/query.js";
import {
  MsgRegisterCoordinator,
  MsgSubmitDkgResult,
  MsgSubmitEpochSeed,
} from "../../proto/gen/dsdn/committee/v1/tx.js";
import { QueryPriceRequest, QueryPriceResponse } from "../../proto/gen/dsdn/oracle/v1/query.js";
import { ReceiptData, ReceiptKind, ThresholdReceipt } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { MsgClaimReward } from "../../proto/gen/dsdn/receipts/v1/tx.js";
import { bondNodeMsg, CHAIN_ID, NodeClass, NUSA, registerMsg, TestChain } from "./testChain.js";
import { addressOf } from "./txBuilder.js";

export interface FixtureOptions {
  readonly validators: number;
  /** Validator tokens (unusa) per validator; default 10, 20, 30 … NUSA + 1 unusa (uneven on purpose). */
  readonly tokens?: readonly bigint[];
  readonly committee?: Record<string, string>;
  readonly receipts?: Record<string, string>;
  readonly stake?: Record<string, string>;
  readonly fraud?: Record<string, string>;
  /** The storage node's registered chunk-server URL. */
  readonly nodeEndpoint?: string;
  /** Leave epoch 1's committee without a recorded DKG result. */
  readonly skipDkg?: boolean;
  /** unusa minted into the reward pool at genesis (default: the module's default). */
  readonly rewardPoolFunding?: bigint;
}

export interface Fixture {
  readonly chain: TestChain;
  readonly vals: readonly Secp256k1KeyPair[];
  readonly tokens: readonly bigint[];
  readonly frost: LocalCommittee;
  /** The node operator, its node key, the workload submitter, and an unrelated funded account. */
  readonly bob: Secp256k1KeyPair;
  readonly node: Ed25519KeyPair;
  readonly alice: Secp256k1KeyPair;
  readonly carol: Secp256k1KeyPair;
  readonly receiptsParams: ReceiptsParams;
  /** Committee (and group) of each epoch whose DKG this fixture ran. */
  readonly groups: Map<bigint, { committee: Committee; group: FrostGroupInfo }>;
  dispose(): void;
}

export const ENDPOINT = "http://127.0.0.1:7700";
/** Compute challenge windows of seconds (blocks are 5 s apart), as on the localnet. */
export const SHORT_WINDOWS = {
  computeWindowBaseSeconds: "20",
  computeWindowPerMbSeconds: "5",
  computeWindowMaxSeconds: "60",
} as const;
/** Validator i's coordinator endpoint as registered by the fixture (distinct per member). */
export const memberEndpoint = (i: number) => `http://127.0.0.1:${7700 + i}`;

export function queryCommittee(chain: TestChain, epoch = 0n): Committee {
  return chain.query("/dsdn.committee.v1.Query/Committee", QueryCommitteeRequest, { epoch }, QueryCommitteeResponse)
    .committee!;
}

export function registerCoordinatorMsg(val: Secp256k1KeyPair, identity: Ed25519KeyPair, endpoint = ENDPOINT): Any {
  const op = addressOf(val);
  const vrf = vrfPublicKeyFromIdentity(identity.secretKey);
  return packAny("/dsdn.committee.v1.MsgRegisterCoordinator", MsgRegisterCoordinator, {
    signer: op,
    identityKey: Buffer.from(identity.publicKey),
    endpoint,
    identitySignature: Buffer.from(
      signCoordinatorBinding(CHAIN_ID, fromBech32Address(op), vrf, endpoint, identity.secretKey),
    ),
    vrfPublicKey: Buffer.from(vrf),
  });
}

export function querySeedRequest(chain: TestChain): SeedRequest | undefined {
  return chain.query("/dsdn.committee.v1.Query/SeedRequest", QuerySeedRequestRequest, {}, QuerySeedRequestResponse)
    .request;
}

/** The producer designated in the open seed request's slot at the next block (`dt` seconds on). */
export function designatedProducer(
  fx: Pick<Fixture, "chain" | "vals">,
  dt = 5n,
): { index: number; request: SeedRequest } {
  const r = querySeedRequest(fx.chain);
  if (!r) throw new Error("no seed request is open");
  const slotSeconds = BigInt(
    JSON.parse(
      fx.chain.query("/dsdn.committee.v1.Query/Params", QueryParamsRequest, {}, QueryParamsResponse).paramsJson,
    ).seedSlotSeconds,
  );
  const t = fx.chain.time + dt;
  const slot = t <= r.openedAt ? 0n : (t - r.openedAt) / slotSeconds;
  const op = r.producers[Number(slot % BigInt(r.producers.length))]!.operator;
  return { index: fx.vals.findIndex((v) => addressOf(v) === op), request: r };
}

/** The designated coordinator proves the open request's seed (ECVRF) and its operator submits it. */
export function seedMsg(fx: Pick<Fixture, "chain" | "vals" | "frost">, index: number, r: SeedRequest): Any {
  return packAny("/dsdn.committee.v1.MsgSubmitEpochSeed", MsgSubmitEpochSeed, {
    signer: addressOf(fx.vals[index]!),
    epoch: r.epoch,
    proof: Buffer.from(proveEpochSeed(fx.frost.identities[index]!.secretKey, CHAIN_ID, r.epoch, r.prevSeed)),
  });
}

/** Submits the open request's seed from the designated producer: the next committee is selected. */
export function submitSeed(fx: Pick<Fixture, "chain" | "vals" | "frost">): Committee {
  const { index, request } = designatedProducer(fx);
  expectOk(fx.chain.exec(fx.vals[index]!, [seedMsg(fx, index, request)]), "MsgSubmitEpochSeed");
  return queryCommittee(fx.chain);
}

export function expectOk(r: ExecTxResult, what: string): ExecTxResult {
  if (r.code !== 0) throw new Error(`${what} failed: code ${r.code} ${r.log}`);
  return r;
}

/** Runs the DKG for the chain's current committee over the local transport and records it on chain. */
export async function recordDkg(fx: Pick<Fixture, "chain" | "vals" | "frost" | "groups">): Promise<Committee> {
  const c = queryCommittee(fx.chain);
  const members = c.members.map((m) => new Uint8Array(m.identityKey));
  const orchestrator = fx.frost.identities.findIndex((k) => Buffer.compare(k.publicKey, members[0]!) === 0) + 1;
  const out = await fx.frost.coordinator(orchestrator).runDkg({ epoch: c.epoch, threshold: c.threshold, members });
  const submitter = fx.vals.find((v) => addressOf(v) === c.members[0]!.operator)!;
  expectOk(
    fx.chain.exec(submitter, [
      packAny("/dsdn.committee.v1.MsgSubmitDkgResult", MsgSubmitDkgResult, {
        signer: c.members[0]!.operator,
        epoch: c.epoch,
        results: out.results.map((r) => Buffer.from(encodeMessage(DkgResult, r))),
      }),
    ]),
    "MsgSubmitDkgResult",
  );
  const recorded = queryCommittee(fx.chain, c.epoch);
  fx.groups.set(c.epoch, { committee: recorded, group: groupInfoFromResult(out.results[0]!) });
  return recorded;
}

export async function setupFixture(o: FixtureOptions): Promise<Fixture> {
  const n = o.validators;
  const vals = Array.from({ length: n }, (_, i) => secp256k1KeyPair(new Uint8Array(32).fill(0x40 + i)));
  const cons = Array.from({ length: n }, (_, i) => ed25519KeyPair(new Uint8Array(32).fill(0x60 + i)));
  const tokens = o.tokens ?? Array.from({ length: n }, (_, i) => BigInt(i + 1) * 10n * NUSA + 1n);
  const bob = secp256k1KeyPair(new Uint8Array(32).fill(0x21));
  const alice = secp256k1KeyPair(new Uint8Array(32).fill(0x22));
  const carol = secp256k1KeyPair(new Uint8Array(32).fill(0x23));
  const node = ed25519KeyPair(new Uint8Array(32).fill(0x24));
  const receiptsParams = { ...defaultReceiptsParams };
  const chain = TestChain.start({
    balances: [...vals, bob, alice, carol].map((k) => ({ address: addressOf(k), amount: 100_000n * NUSA })),
    bondedPool: tokens.reduce((s, t) => s + t, 0n),
    appState: {
      stake: {
        params: { minValidatorSelfBond: NUSA.toString(), unbondingPeriodSeconds: "1000", ...o.stake },
        validators: vals.map((v, i) => ({
          operator: addressOf(v),
          consensusPubkey: Buffer.from(cons[i]!.publicKey).toString("base64"),
          moniker: `v${i}`,
          tokens: tokens[i]!.toString(),
        })),
      },
      committee: {
        params: { epochBlocks: "1000", handoffBlocks: "5", minCommitteeSize: String(Math.min(4, n)), ...o.committee },
      },
      ...(o.fraud ? { fraud: { params: o.fraud } } : {}),
      receipts: {
        params: { ...SHORT_WINDOWS, ...o.receipts },
        ...(o.rewardPoolFunding === undefined ? {} : { rewardPoolFunding: o.rewardPoolFunding.toString() }),
      },
    },
  });
  const frost = createLocalCommittee(n);
  const fx: Fixture = {
    chain,
    vals,
    tokens,
    frost,
    bob,
    node,
    alice,
    carol,
    receiptsParams: parseReceiptsParams({ ...receiptsParams, ...SHORT_WINDOWS, ...o.receipts }),
    groups: new Map(),
    dispose() {
      frost.dispose();
      chain.close();
    },
  };
  chain.block();
  const regs = chain.block(
    vals.map((v, i) => chain.tx(v, [registerCoordinatorMsg(v, frost.identities[i]!, memberEndpoint(i))])),
  );
  for (const [i, r] of regs.txResults.entries()) expectOk(r, `register coordinator ${i}`);
  chain.block(); // begin block of this block opens epoch 1's seed request
  submitSeed(fx); // the designated coordinator's ECVRF proof selects epoch 1
  if (!o.skipDkg) await recordDkg(fx);
  expectOk(chain.exec(bob, [bondNodeMsg(addressOf(bob), NodeClass.NODE_CLASS_REGULAR, 500n * NUSA)]), "bond node");
  expectOk(
    chain.exec(bob, [registerMsg(addressOf(bob), node, o.nodeEndpoint ? { endpoint: o.nodeEndpoint } : {})]),
    "register node",
  );
  return fx;
}

export interface ReceiptParts {
  readonly data: ReceiptData;
  readonly bytes: Uint8Array;
  readonly receipt: ThresholdReceipt;
  readonly nodeSignature: Uint8Array;
}

/** A storage receipt for the fixture's node; `signers` are chain participant indexes (default 1..t). */
export async function signReceipt(
  fx: Fixture,
  over: Partial<ReceiptData> = {},
  o: { epoch?: bigint; signers?: number[]; nodeKey?: Ed25519KeyPair } = {},
): Promise<ReceiptParts> {
  const epoch = o.epoch ?? [...fx.groups.keys()].at(-1)!;
  const { committee, group } = fx.groups.get(epoch)!;
  const signers = o.signers ?? Array.from({ length: committee.threshold }, (_, i) => i + 1);
  const workloadId = over.workloadId ?? Buffer.from(randomBytes(32));
  const usage = over.usage ?? { chunks: 3n, bytes: 3n * (1n << 20n) + 12_345n, byteSeconds: 0n, computeCycles: 0n };
  const kind = over.kind ?? ReceiptKind.RECEIPT_KIND_STORAGE;
  const data = ReceiptData.fromPartial({
    version: RECEIPT_VERSION,
    chainId: CHAIN_ID,
    kind,
    workloadId,
    nodeId: Buffer.from(fx.node.publicKey),
    usageProofHash: Buffer.from(randomBytes(32)),
    executionCommitment: storageCommitment(workloadId),
    submitter: addressOf(fx.alice),
    epoch,
    sequence: 0n,
    timestamp: fx.chain.time,
    usage,
    reward: usdValueOf(kind, usage, fx.receiptsParams).toString(),
    signers,
    ...over,
  });
  const bytes = ReceiptData.encode(data).finish();
  const orchestrator =
    fx.frost.identities.findIndex((k) => Buffer.compare(k.publicKey, group.members[signers[0]! - 1]!) === 0) + 1;
  const signed = await fx.frost
    .coordinator(orchestrator)
    .sign({ group, message: receiptSigningMessage(bytes), signers });
  return {
    data,
    bytes,
    receipt: ThresholdReceipt.fromPartial({
      receiptData: Buffer.from(bytes),
      signature: Buffer.from(signed.signature),
      epoch,
    }),
    nodeSignature: ed25519Sign(nodeSigningMessage(bytes), (o.nodeKey ?? fx.node).secretKey),
  };
}

export function claimMsg(claimant: string, p: Pick<ReceiptParts, "receipt" | "nodeSignature">): Any {
  return packAny("/dsdn.receipts.v1.MsgClaimReward", MsgClaimReward, {
    claimant,
    receipt: p.receipt,
    nodeSignature: Buffer.from(p.nodeSignature),
  });
}

export { addressOf, fromHex, NUSA };

/** unusa a v2 receipt worth `usdNano` pays now: ceil(usd · 10^6 / the oracle's effective price), computed here. */
export function unusaAtOraclePrice(chain: TestChain, usdNano: bigint): bigint {
  const p = chain.query("/dsdn.oracle.v1.Query/Price", QueryPriceRequest, {}, QueryPriceResponse);
  const price = BigInt(p.effectivePriceNanoUsd);
  return (usdNano * 1_000_000n + price - 1n) / price;
}

/**
 * What a paid v2 claim must show (localnet e2e, the claim record as `dsdnd query receipts claim` prints it): the
 * receipt's signed USD value, converted at the oracle price the claim recorded, split 70 / 20 / 10. Returns the
 * unusa the node was paid.
 */
export function expectPaidAtOraclePrice(
  recorded: {
    status: string;
    rewardUsdNano: string;
    priceNanoUsd: string;
    reward: string;
    nodeAmount: string;
    validatorsAmount: string;
    treasuryAmount: string;
  },
  receiptUsdNano: bigint,
): bigint {
  if (recorded.status !== "CLAIM_STATUS_PAID") throw new Error(`claim not paid: ${JSON.stringify(recorded)}`);
  if (BigInt(recorded.rewardUsdNano) !== receiptUsdNano)
    throw new Error(`claim recorded ${recorded.rewardUsdNano} nano-USD, the receipt says ${receiptUsdNano}`);
  const price = BigInt(recorded.priceNanoUsd);
  if (price <= 0n) throw new Error(`claim recorded no oracle price: ${recorded.priceNanoUsd}`);
  const unusa = usdToUnusa(receiptUsdNano, price);
  const expected = {
    reward: unusa,
    node: (unusa * 70n) / 100n,
    validators: (unusa * 20n) / 100n,
  };
  const got = {
    reward: BigInt(recorded.reward),
    node: BigInt(recorded.nodeAmount),
    validators: BigInt(recorded.validatorsAmount),
  };
  for (const k of ["reward", "node", "validators"] as const)
    if (got[k] !== expected[k])
      throw new Error(`claim ${k}: ${got[k]} unusa, expected ${expected[k]} at price ${price}`);
  if (BigInt(recorded.treasuryAmount) !== unusa - expected.node - expected.validators)
    throw new Error(`claim treasury: ${recorded.treasuryAmount}`);
  return expected.node;
}
