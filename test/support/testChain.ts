/** @module An in-process Chain Nusantara for stake/nodes/slashing unit tests: genesis, signed txs, blocks, queries. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type {
  ExecTxResult,
  Misbehavior,
  ResponseFinalizeBlock,
  ValidatorUpdate,
  VoteInfo,
} from "cosmjs-types/tendermint/abci/types";
import { buildModules, createApp } from "../../app/buildApp.js";
import type { AppOptions, NusantaraApp } from "../../chain-app/app/app.js";
import { readOnlyStore } from "../../chain-app/app/readOnly.js";
import { unmeteredContext } from "../../chain-app/context.js";
import { ChainStore } from "../../chain-app/store/index.js";
import type { MessageCodec } from "../../common/protobuf.js";
import type { Secp256k1KeyPair } from "../../common/secp256k1.js";
import { buildGenesis } from "../../genesis/builder.js";
import { ModuleAccount, moduleAddress } from "../../modules/auth/moduleAccounts.js";
import { addressOf, buildTx } from "./txBuilder.js";

export const CHAIN_ID = "nusantara-stake-test-1";
export const GENESIS_TIME = 1_767_225_600n; // 2026-01-01T00:00:00Z

export interface TestChainOptions {
  readonly balances: { address: string; amount: bigint }[];
  readonly appState?: Record<string, unknown>;
  /** Extra unusa for the bonded/not-bonded pools (genesis validators' stake). */
  readonly bondedPool?: bigint;
  readonly notBondedPool?: bigint;
}

/** The fee a TestChain tx pays for `gasLimit`: 0.025 unusa per gas, at least the 10 000 unusa every test counts on. */
export const testChainFee = (gasLimit = 400_000n): bigint =>
  gasLimit <= 400_000n ? 10_000n : (gasLimit * 25n + 999n) / 1000n;

export class TestChain {
  readonly dir: string;
  store!: ChainStore;
  app!: NusantaraApp;
  height = 0n;
  time = GENESIS_TIME;
  initHash: Uint8Array = new Uint8Array();
  /** Extra node-local app options (e.g. a vote-extension source) for the next init(). */
  appOptions: Partial<AppOptions> = {};
  /** The validator set InitChain handed to CometBFT. */
  initValidators: ValidatorUpdate[] = [];

  constructor(
    readonly genesisAppState: Record<string, unknown>,
    dir?: string,
  ) {
    this.dir = dir ?? mkdtempSync(join(tmpdir(), "stake-test-"));
  }

  static genesis(o: TestChainOptions): Record<string, unknown> {
    const balances = o.balances.map((b) => ({
      address: b.address,
      coins: [{ denom: "unusa", amount: b.amount.toString() }],
    }));
    if (o.bondedPool)
      balances.push({
        address: moduleAddress(ModuleAccount.BondedPool),
        coins: [{ denom: "unusa", amount: o.bondedPool.toString() }],
      });
    if (o.notBondedPool)
      balances.push({
        address: moduleAddress(ModuleAccount.NotBondedPool),
        coins: [{ denom: "unusa", amount: o.notBondedPool.toString() }],
      });
    const g = buildGenesis({
      chainId: CHAIN_ID,
      genesisTime: "2026-01-01T00:00:00Z",
      validators: [],
      balances,
      appState: o.appState,
    });
    return g.app_state as Record<string, unknown>;
  }

  static start(o: TestChainOptions): TestChain {
    const c = new TestChain(TestChain.genesis(o));
    c.init();
    return c;
  }

  /** InitChain; `validators` = the list CometBFT sends from genesis.json (none by default). */
  init(validators: ValidatorUpdate[] = [], consensusParams?: object): ResponseFinalizeBlock | undefined {
    this.store = ChainStore.open(join(this.dir, "app.sqlite"));
    this.app = createApp(this.store, { minGasPrice: "0.025unusa", log: () => {}, ...this.appOptions });
    const r = this.app.initChain({
      chainId: CHAIN_ID,
      initialHeight: 1n,
      appStateBytes: new TextEncoder().encode(JSON.stringify(this.genesisAppState)),
      validators,
      time: { seconds: GENESIS_TIME, nanos: 0 },
      consensusParams,
    } as any);
    this.initHash = r.appHash as Uint8Array;
    this.initValidators = r.validators ?? [];
    return undefined;
  }

  close(): void {
    this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Finalizes and commits one block `dt` seconds after the previous one. */
  block(
    txs: Uint8Array[] = [],
    o: { dt?: bigint; votes?: VoteInfo[]; misbehavior?: Misbehavior[] } = {},
  ): ResponseFinalizeBlock & { txResults: ExecTxResult[] } {
    this.height += 1n;
    this.time += o.dt ?? 5n;
    const r = this.app.finalizeBlock({
      txs,
      height: this.height,
      time: { seconds: this.time, nanos: 0 },
      decidedLastCommit: { round: 0, votes: o.votes ?? [] },
      misbehavior: o.misbehavior ?? [],
      hash: new Uint8Array(32),
      nextValidatorsHash: new Uint8Array(32),
      proposerAddress: new Uint8Array(20),
    } as any);
    this.app.commit({});
    return r as any;
  }

  query<Req, Res>(path: string, reqCodec: MessageCodec<Req>, req: object, resCodec: MessageCodec<Res>): Res {
    const r = this.app.query({
      path,
      data: reqCodec.encode(reqCodec.fromPartial(req)).finish(),
      height: 0n,
      prove: false,
    });
    if ((r.code ?? 0) !== 0) throw new Error(`query ${path}: code ${r.code} ${r.log}`);
    return resCodec.decode(r.value as Uint8Array);
  }

  /** Raw query result (code and log) for error cases. */
  rawQuery<Req>(path: string, reqCodec: MessageCodec<Req>, req: object) {
    return this.app.query({
      path,
      data: reqCodec.encode(reqCodec.fromPartial(req)).finish(),
      height: 0n,
      prove: false,
    });
  }

  balance(address: string): bigint {
    const r = this.query(
      "/cosmos.bank.v1beta1.Query/Balance",
      QueryBalanceRequest,
      { address, denom: "unusa" },
      QueryBalanceResponse,
    );
    return BigInt(r.balance?.amount ?? "0");
  }

  accountNumber(address: string): bigint {
    return this.account(address).accountNumber;
  }

  private account(address: string): { accountNumber: bigint; sequence: bigint } {
    const r = this.rawQuery("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest, { address });
    if ((r.code ?? 0) !== 0) throw new Error(`no account ${address}`);
    const acc = BaseAccount.decode(QueryAccountResponse.decode(r.value as Uint8Array).account!.value);
    return { accountNumber: acc.accountNumber, sequence: acc.sequence };
  }

  /** Signs `msgs` with `key` at its committed sequence. */
  tx(key: Secp256k1KeyPair, msgs: Any[], o: { gas?: bigint } = {}): Uint8Array {
    const { accountNumber, sequence } = this.account(addressOf(key));
    const gasLimit = o.gas ?? 400_000n;
    const fee = testChainFee(gasLimit);
    return buildTx({
      key,
      chainId: CHAIN_ID,
      accountNumber,
      sequence,
      msgs,
      gasLimit,
      fee: [{ denom: "unusa", amount: fee.toString() }],
    });
  }

  /** CheckTx (mempool admission) of a tx against the committed state. */
  check(tx: Uint8Array): { code: number; log: string } {
    const r = this.app.checkTx({ tx, type: 0 } as any);
    return { code: r.code ?? 0, log: r.log ?? "" };
  }

  /** Runs one tx in its own block and returns its result. */
  exec(key: Secp256k1KeyPair, msgs: Any[], o: { dt?: bigint; gas?: bigint } = {}): ExecTxResult {
    return this.block([this.tx(key, msgs, o)], o).txResults[0] as ExecTxResult;
  }

  /** Every module's exported genesis section over the last committed state. */
  exportAppState(): Record<string, unknown> {
    const ctx = unmeteredContext(
      readOnlyStore(this.store.committed()),
      {
        chainId: CHAIN_ID,
        height: this.store.lastHeight,
        timeSeconds: this.time,
        timeNanos: 0,
        proposer: new Uint8Array(),
      },
      "query",
    );
    const out: Record<string, unknown> = {};
    for (const m of buildModules().modules) if (m.exportGenesis) out[m.name] = m.exportGenesis(ctx);
    return JSON.parse(JSON.stringify(out, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
  }
}

// ---- message and fixture helpers shared by the stake, nodes and slashing tests ------------------

import { type Ed25519KeyPair, ed25519KeyPair } from "../../common/ed25519.js";
import { sha256 } from "../../common/hash.js";
import { packAny } from "../../common/protobuf.js";
import { fromBech32Address } from "../../common/secp256k1.js";
import { signNodeBinding } from "../../modules/nodes/binding.js";
import { MsgRegisterNode } from "../../proto/gen/dsdn/nodes/v1/tx.js";
import type { NodeFault } from "../../proto/gen/dsdn/slashing/v1/slashing.js";
import { MsgReportNodeFault, MsgUnjail } from "../../proto/gen/dsdn/slashing/v1/tx.js";
import { BondKind, NodeClass } from "../../proto/gen/dsdn/stake/v1/stake.js";
import { MsgBondNode, MsgCreateValidator, MsgUnbond } from "../../proto/gen/dsdn/stake/v1/tx.js";

export const NUSA = 1_000_000n;

export const createValidatorMsg = (signer: string, pubkey: Uint8Array, amount: bigint, moniker = "v") =>
  packAny("/dsdn.stake.v1.MsgCreateValidator", MsgCreateValidator, {
    signer,
    consensusPubkey: Buffer.from(pubkey),
    moniker,
    amount: amount.toString(),
  });
export const bondNodeMsg = (signer: string, cls: NodeClass, amount: bigint) =>
  packAny("/dsdn.stake.v1.MsgBondNode", MsgBondNode, { signer, class: cls, amount: amount.toString() });
export const unbondMsg = (signer: string, kind: BondKind, amount: bigint) =>
  packAny("/dsdn.stake.v1.MsgUnbond", MsgUnbond, { signer, kind, amount: amount.toString() });
export const unjailMsg = (signer: string) => packAny("/dsdn.slashing.v1.MsgUnjail", MsgUnjail, { signer });
export const reportFaultMsg = (
  signer: string,
  nodeId: Uint8Array,
  fault: NodeFault,
  evidence: string,
  infractionHeight = 0n,
) =>
  packAny("/dsdn.slashing.v1.MsgReportNodeFault", MsgReportNodeFault, {
    signer,
    nodeId: Buffer.from(nodeId),
    fault,
    evidence: Buffer.from(evidence),
    infractionHeight,
  });

export interface RegisterFields {
  zone?: string;
  cls?: NodeClass;
  capacity?: bigint;
  endpoint?: string;
  fingerprint?: Uint8Array;
  /** Sign the binding for this chain id / operator instead (spoofing tests). */
  signChainId?: string;
  signOperator?: string;
  /** Sign with this key instead of the node's own. */
  signWith?: Ed25519KeyPair;
}

/** MsgRegisterNode for `node`, signed by the node key over its binding (or tampered per `f`). */
export function registerMsg(signer: string, node: Ed25519KeyPair, f: RegisterFields = {}) {
  const fields = {
    zone: f.zone ?? "id-jkt-1",
    class: f.cls ?? NodeClass.NODE_CLASS_REGULAR,
    capacityBytes: f.capacity ?? 1n << 40n,
    endpoint: f.endpoint ?? "https://node.example:9443",
    tlsCertFingerprint: f.fingerprint ?? sha256(new TextEncoder().encode("cert-der")),
  };
  const sig = signNodeBinding(
    {
      chainId: f.signChainId ?? CHAIN_ID,
      operator: fromBech32Address(f.signOperator ?? signer),
      nodeId: node.publicKey,
      ...fields,
    },
    (f.signWith ?? node).secretKey,
  );
  return packAny("/dsdn.nodes.v1.MsgRegisterNode", MsgRegisterNode, {
    signer,
    nodeId: Buffer.from(node.publicKey),
    ...fields,
    tlsCertFingerprint: Buffer.from(fields.tlsCertFingerprint),
    nodeSignature: Buffer.from(sig),
  });
}

export const nodeKey = (seedByte: number) => ed25519KeyPair(new Uint8Array(32).fill(seedByte));
export { BondKind, NodeClass };
