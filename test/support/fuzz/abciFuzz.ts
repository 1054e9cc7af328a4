/**
 * @module Differential ABCI fuzzing: mutated txs and requests into two independent in-process apps.
 *
 * Each fast-check run is one block: a few valid txs (real signatures, current sequences) are mutated
 * — bit flips, truncation, inserted bytes, swapped or duplicated fields, huge varints — either on the
 * outer bytes or inside the body / auth info / a message (then re-signed, so the mutation reaches the
 * handlers), and sent through CheckTx, ProcessProposal and FinalizeBlock (with mutated commit votes,
 * misbehavior, proposer, hash and time) + Commit of two apps built separately from the same genesis.
 * The property: no exception escapes either app, and both answer byte for byte alike (app hash
 * included). The apps live across runs (state accumulates, as on a chain), so runs do not shrink;
 * a failure reports the run's input, and the seed replays the whole campaign.
 */
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { SignDoc, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import * as abci from "cosmjs-types/tendermint/abci/types";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import fc from "fast-check";
import { createApp } from "../../../app/buildApp.js";
import type { NusantaraApp } from "../../../chain-app/app/app.js";
import { SdkErrors } from "../../../chain-app/errors.js";
import { ChainStore } from "../../../chain-app/store/index.js";
import { ed25519KeyPair } from "../../../common/ed25519.js";
import { sha256, toHex } from "../../../common/hash.js";
import { type Secp256k1KeyPair, secp256k1KeyPair, secp256k1Sign } from "../../../common/secp256k1.js";
import { buildGenesis } from "../../../genesis/builder.js";
import { ModuleAccount, moduleAddress } from "../../../modules/auth/moduleAccounts.js";
import { NodeFault } from "../../../proto/gen/dsdn/slashing/v1/slashing.js";
import { concatBytes, tag, varint } from "../protoWire.js";
import {
  BondKind,
  bondNodeMsg,
  createValidatorMsg,
  NodeClass,
  NUSA,
  nodeKey,
  registerMsg,
  reportFaultMsg,
  unbondMsg,
  unjailMsg,
} from "../testChain.js";
import { addressOf, buildTxParts, sendMsg } from "../txBuilder.js";

const CHAIN_ID = "nusantara-fuzz-1";
const GENESIS_TIME = 1_767_225_600n;
const keys = Array.from({ length: 6 }, (_, i) => secp256k1KeyPair(new Uint8Array(32).fill(0x51 + i)));
const addrs = keys.map(addressOf);
const cons0 = ed25519KeyPair(new Uint8Array(32).fill(0x61));
const cons0Addr = sha256(cons0.publicKey).subarray(0, 20);

function genesisBytes(): Uint8Array {
  const g = buildGenesis({
    chainId: CHAIN_ID,
    genesisTime: "2026-01-01T00:00:00Z",
    validators: [],
    balances: [
      ...addrs.map((address) => ({ address, coins: [{ denom: "unusa", amount: (1_000_000n * NUSA).toString() }] })),
      {
        address: moduleAddress(ModuleAccount.BondedPool),
        coins: [{ denom: "unusa", amount: (10n * NUSA).toString() }],
      },
    ],
    appState: {
      stake: {
        params: { minValidatorSelfBond: (10n * NUSA).toString(), unbondingPeriodSeconds: "30" },
        validators: [
          {
            operator: addrs[0],
            consensusPubkey: Buffer.from(cons0.publicKey).toString("base64"),
            moniker: "v0",
            tokens: (10n * NUSA).toString(),
          },
        ],
      },
    },
  });
  return new TextEncoder().encode(JSON.stringify(g.app_state));
}

/** What one app call produced: the encoded response, or the exception that escaped. */
type Outcome = { ok: true; bytes: string } | { ok: false; error: string };

function call<T>(f: () => T, encode: (r: T) => Uint8Array): Outcome {
  try {
    return { ok: true, bytes: toHex(encode(f())) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e) };
  }
}

export interface FuzzFailure {
  readonly step: string;
  readonly a: Outcome;
  readonly b: Outcome;
}

/** Two apps from one genesis, advanced block by block in lockstep. */
export class AppPair {
  readonly apps: [NusantaraApp, NusantaraApp];
  private readonly stores: ChainStore[];
  height = 0n;
  time = GENESIS_TIME;
  /** Outcome counts, so a harness that only ever feeds garbage shows up as such. */
  readonly stats = { checkOk: 0, checkTotal: 0, deliverOk: 0, deliverTotal: 0, blocks: 0 };

  /** `minGasPriceB` differs from A's only in the harness's self-test (a divergence it must report). */
  constructor(minGasPriceB = "0.025unusa") {
    this.stores = [ChainStore.open(":memory:"), ChainStore.open(":memory:")];
    this.apps = [
      createApp(this.stores[0]!, { minGasPrice: "0.025unusa", log: () => {} }),
      createApp(this.stores[1]!, { minGasPrice: minGasPriceB, log: () => {} }),
    ];
    const req = abci.RequestInitChain.fromPartial({
      chainId: CHAIN_ID,
      initialHeight: 1n,
      appStateBytes: genesisBytes(),
      time: { seconds: GENESIS_TIME, nanos: 0 },
    });
    for (const app of this.apps) app.initChain(req);
    const fail = this.block([], {});
    if (fail) throw new Error(`fuzz genesis block diverged: ${JSON.stringify(fail)}`);
  }

  close(): void {
    for (const s of this.stores) s.close();
  }

  /** Same call on both apps; a failure when either throws or they answer differently. */
  private both<T>(step: string, f: (app: NusantaraApp) => T, encode: (r: T) => Uint8Array): FuzzFailure | undefined {
    const a = call(() => f(this.apps[0]), encode);
    const b = call(() => f(this.apps[1]), encode);
    if (!a.ok || !b.ok || a.bytes !== b.bytes) return { step, a, b };
    return undefined;
  }

  /**
   * A handler that throws something other than a registered ChainError is a bug even though the app
   * turns it into a result (sdk/111222 "panic"): the fuzz reports it like an escaped exception.
   */
  private panics(step: string, results: readonly { code?: number; codespace?: string; log?: string }[]) {
    const p = results.find((r) => r.codespace === SdkErrors.Panic.codespace && r.code === SdkErrors.Panic.code);
    if (!p) return undefined;
    const error: Outcome = { ok: false, error: `internal error in a handler: ${p.log}` };
    return { step: `${step} (panic result)`, a: error, b: error };
  }

  /** Account number and committed sequence of fuzz account `i` (from app A: both agree or the run failed). */
  account(i: number): { accountNumber: bigint; sequence: bigint } {
    const r = this.apps[0].query({
      path: "/cosmos.auth.v1beta1.Query/Account",
      data: QueryAccountRequest.encode({ address: addrs[i]! }).finish(),
      height: 0n,
      prove: false,
    });
    const any = (r.code ?? 0) === 0 ? QueryAccountResponse.decode(r.value as Uint8Array).account : undefined;
    if (!any) throw new Error(`fuzz account ${addrs[i]} missing`);
    const acc = BaseAccount.decode(any.value);
    return { accountNumber: acc.accountNumber, sequence: acc.sequence };
  }

  check(tx: Uint8Array, recheck: boolean): FuzzFailure | undefined {
    const req = abci.RequestCheckTx.fromPartial({
      tx,
      type: recheck ? abci.CheckTxType.RECHECK : abci.CheckTxType.NEW,
    });
    let last: abci.ResponseCheckTx | undefined;
    const f = this.both(
      "CheckTx",
      (app) => {
        const r = app.checkTx(req);
        last = r as abci.ResponseCheckTx;
        if (app === this.apps[0]) {
          this.stats.checkTotal++;
          if ((r.code ?? 0) === 0) this.stats.checkOk++;
        }
        return r;
      },
      (r) => abci.ResponseCheckTx.encode(abci.ResponseCheckTx.fromPartial(r)).finish(),
    );
    return f ?? (last ? this.panics("CheckTx", [last]) : undefined);
  }

  /** ProcessProposal, FinalizeBlock and Commit of the next block on both apps. */
  block(txs: Uint8Array[], m: RequestMutation): FuzzFailure | undefined {
    const height = this.height + 1n;
    const time = this.time + (m.dtSeconds ?? 5n);
    const common = {
      txs,
      height,
      time: { seconds: time, nanos: m.nanos ?? 0 },
      proposerAddress: m.proposer ?? cons0Addr,
      hash: m.hash ?? sha256(varint(height)),
      nextValidatorsHash: new Uint8Array(32),
      misbehavior: m.misbehavior ?? [],
    };
    const pp = abci.RequestProcessProposal.fromPartial({
      ...common,
      proposedLastCommit: { round: 0, votes: [] },
    });
    const f1 = this.both(
      "ProcessProposal",
      (app) => app.processProposal(pp),
      (r) => abci.ResponseProcessProposal.encode(abci.ResponseProcessProposal.fromPartial(r)).finish(),
    );
    if (f1) return f1;
    let finalized: abci.ExecTxResult[] = [];
    const fb = abci.RequestFinalizeBlock.fromPartial({
      ...common,
      decidedLastCommit: {
        round: 0,
        votes: m.votes ?? [
          { validator: { address: cons0Addr, power: 10n }, blockIdFlag: BlockIDFlag.BLOCK_ID_FLAG_COMMIT },
        ],
      },
    });
    const f2 = this.both(
      "FinalizeBlock",
      (app) => {
        const r = app.finalizeBlock(fb);
        finalized = (r.txResults ?? []) as abci.ExecTxResult[];
        if (app === this.apps[0]) {
          this.stats.blocks++;
          for (const t of r.txResults ?? []) {
            this.stats.deliverTotal++;
            if (t.code === 0) this.stats.deliverOk++;
          }
        }
        return r;
      },
      (r) => abci.ResponseFinalizeBlock.encode(abci.ResponseFinalizeBlock.fromPartial(r)).finish(),
    );
    if (f2) return f2;
    const p = this.panics("FinalizeBlock", finalized);
    if (p) return p;
    const f3 = this.both(
      "Commit",
      (app) => app.commit({}),
      (r) => abci.ResponseCommit.encode(abci.ResponseCommit.fromPartial(r)).finish(),
    );
    if (f3) return f3;
    this.height = height;
    this.time = time;
    return undefined;
  }
}

// ---- the generated input ---------------------------------------------------------------------

export interface RequestMutation {
  readonly dtSeconds?: bigint;
  readonly nanos?: number;
  readonly proposer?: Uint8Array;
  readonly hash?: Uint8Array;
  readonly votes?: abci.VoteInfo[];
  readonly misbehavior?: abci.Misbehavior[];
}

/** Where a byte mutation lands: the signed outer bytes, or inside a layer that is then re-signed. */
type Layer = "raw" | "body" | "authInfo" | "msg";
type ByteMutation =
  | { kind: "none" }
  | { kind: "flip"; at: number; bit: number }
  | { kind: "truncate"; at: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "swap"; i: number; j: number }
  | { kind: "duplicate"; i: number }
  | { kind: "hugeVarint"; field: number; overlong: boolean };

export interface TxSpec {
  readonly template: number;
  readonly signer: number;
  readonly amount: bigint;
  readonly layer: Layer;
  readonly mutation: ByteMutation;
  readonly recheck: boolean;
}

export interface BlockInput {
  readonly txs: readonly TxSpec[];
  readonly request: RequestMutation;
}

const TEMPLATES = 9;

/** A valid message for template `t`, signed by account `s`. */
function templateMsgs(t: number, s: number, amount: bigint): Any[] {
  const me = addrs[s]!;
  const other = addrs[(s + 1) % addrs.length]!;
  switch (t) {
    case 0:
      return [sendMsg(me, other, amount)];
    case 1:
      return [sendMsg(me, other, amount), sendMsg(me, addrs[(s + 2) % addrs.length]!, amount + 1n)];
    case 2:
      return [createValidatorMsg(me, ed25519KeyPair(sha256(varint(amount))).publicKey, 10n * NUSA + amount)];
    case 3:
      return [
        bondNodeMsg(
          me,
          amount % 2n ? NodeClass.NODE_CLASS_REGULAR : NodeClass.NODE_CLASS_DATA_CENTER,
          500n * NUSA + amount,
        ),
      ];
    case 4:
      return [
        unbondMsg(
          me,
          amount % 2n ? BondKind.BOND_KIND_NODE : BondKind.BOND_KIND_VALIDATOR,
          1n + (amount % (10n * NUSA)),
        ),
      ];
    case 5:
      return [registerMsg(me, nodeKey(1 + (s % 200)))];
    case 6:
      return [unjailMsg(me)];
    case 7:
      return [reportFaultMsg(me, nodeKey(1 + (s % 200)).publicKey, NodeFault.NODE_FAULT_LIVENESS, `e${amount}`)];
    default:
      return [sendMsg(me, me, amount), unjailMsg(me)];
  }
}

// ---- byte mutations --------------------------------------------------------------------------

/** Top-level fields of a protobuf message as raw slices (stops at the first malformed byte). */
function topFields(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pos = 0;
  const readVarint = (): bigint | undefined => {
    let r = 0n;
    for (let i = 0; i < 10 && pos < b.length; i++) {
      const x = b[pos++]!;
      r |= BigInt(x & 0x7f) << BigInt(7 * i);
      if ((x & 0x80) === 0) return r;
    }
    return undefined;
  };
  while (pos < b.length) {
    const start = pos;
    const t = readVarint();
    if (t === undefined) break;
    const wt = Number(t & 7n);
    if (wt === 0) {
      if (readVarint() === undefined) break;
    } else if (wt === 1) pos += 8;
    else if (wt === 5) pos += 4;
    else if (wt === 2) {
      const len = readVarint();
      if (len === undefined || len > BigInt(b.length - pos)) break;
      pos += Number(len);
    } else break;
    if (pos > b.length) break;
    out.push(b.subarray(start, pos));
  }
  return out;
}

function mutate(b: Uint8Array, m: ByteMutation): Uint8Array {
  switch (m.kind) {
    case "none":
      return b;
    case "flip": {
      if (b.length === 0) return b;
      const out = Uint8Array.from(b);
      const i = m.at % out.length;
      out[i] = out[i]! ^ (1 << m.bit);
      return out;
    }
    case "truncate":
      return b.subarray(0, b.length === 0 ? 0 : m.at % b.length);
    case "insert": {
      const at = b.length === 0 ? 0 : m.at % (b.length + 1);
      return concatBytes(b.subarray(0, at), m.bytes, b.subarray(at));
    }
    case "swap": {
      const f = topFields(b);
      if (f.length < 2) return b;
      const i = m.i % f.length;
      const j = m.j % f.length;
      [f[i], f[j]] = [f[j]!, f[i]!];
      return concatBytes(...f);
    }
    case "duplicate": {
      const f = topFields(b);
      if (f.length === 0) return b;
      const i = m.i % f.length;
      return concatBytes(...f.slice(0, i + 1), f[i]!, ...f.slice(i + 1));
    }
    case "hugeVarint": {
      // The largest uint64, or an 11-byte overlong varint no decoder should take.
      const value = m.overlong
        ? Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])
        : varint((1n << 64n) - 1n);
      return concatBytes(b, tag(m.field, 0), value);
    }
  }
}

function signRaw(key: Secp256k1KeyPair, accountNumber: bigint, bodyBytes: Uint8Array, authInfoBytes: Uint8Array) {
  const signBytes = SignDoc.encode({ bodyBytes, authInfoBytes, chainId: CHAIN_ID, accountNumber }).finish();
  return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [secp256k1Sign(signBytes, key.secretKey)] }).finish();
}

export function buildTx(pair: AppPair, spec: TxSpec, seqOffset: bigint): Uint8Array {
  const key = keys[spec.signer]!;
  const { accountNumber, sequence } = pair.account(spec.signer);
  let msgs = templateMsgs(spec.template, spec.signer, spec.amount);
  if (spec.layer === "msg") {
    msgs = msgs.map((m, i) => (i === 0 ? { typeUrl: m.typeUrl, value: mutate(m.value, spec.mutation) } : m));
  }
  const parts = buildTxParts({
    key,
    chainId: CHAIN_ID,
    accountNumber,
    sequence: sequence + seqOffset,
    msgs,
    gasLimit: 2_000_000n,
    fee: [{ denom: "unusa", amount: "50000" }],
  });
  if (spec.layer === "body" || spec.layer === "authInfo") {
    const body = spec.layer === "body" ? mutate(parts.bodyBytes, spec.mutation) : parts.bodyBytes;
    const auth = spec.layer === "authInfo" ? mutate(parts.authInfoBytes, spec.mutation) : parts.authInfoBytes;
    return signRaw(key, accountNumber, body, auth);
  }
  const raw = signRaw(key, accountNumber, parts.bodyBytes, parts.authInfoBytes);
  return spec.layer === "raw" ? mutate(raw, spec.mutation) : raw;
}

// ---- arbitraries -----------------------------------------------------------------------------

const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<ByteMutation>({ kind: "none" }) },
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }),
  }),
  fc.record({ kind: fc.constant("swap" as const), i: fc.nat(), j: fc.nat() }),
  fc.record({ kind: fc.constant("duplicate" as const), i: fc.nat() }),
  fc.record({
    kind: fc.constant("hugeVarint" as const),
    field: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constantFrom(1023, 1024, 2047, 536_870_911)),
    overlong: fc.boolean(),
  }),
);

const txSpec: fc.Arbitrary<TxSpec> = fc.record({
  template: fc.integer({ min: 0, max: TEMPLATES - 1 }),
  signer: fc.integer({ min: 0, max: keys.length - 1 }),
  amount: fc.bigInt({ min: 1n, max: 1_000n * NUSA }),
  layer: fc.constantFrom<Layer>("raw", "body", "authInfo", "msg"),
  mutation: byteMutation,
  recheck: fc.boolean(),
});

const address = fc.oneof(fc.constant(cons0Addr), fc.uint8Array({ minLength: 0, maxLength: 33 }));
const i64 = fc.oneof(fc.bigInt({ min: -5n, max: 100n }), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }));

const requestMutation: fc.Arbitrary<RequestMutation> = fc.record(
  {
    dtSeconds: fc.oneof(fc.bigInt({ min: 0n, max: 120n }), fc.bigInt({ min: 0n, max: 400_000_000n })),
    nanos: fc.integer({ min: 0, max: 999_999_999 }),
    proposer: address,
    hash: fc.uint8Array({ minLength: 0, maxLength: 40 }),
    votes: fc.array(
      fc.record({
        validator: fc.record({ address, power: i64 }),
        blockIdFlag: fc.integer({ min: -1, max: 4 }),
      }),
      { maxLength: 4 },
    ),
    misbehavior: fc.array(
      fc.record({
        type: fc.integer({ min: -1, max: 3 }),
        validator: fc.record({ address, power: i64 }),
        height: i64,
        time: fc.record({ seconds: i64, nanos: fc.integer({ min: -1, max: 1_000_000_000 }) }),
        totalVotingPower: i64,
      }),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<RequestMutation>;

export const blockInput: fc.Arbitrary<BlockInput> = fc.record({
  txs: fc.array(txSpec, { minLength: 0, maxLength: 4 }),
  request: requestMutation,
});

/** Runs one block of fuzz input on the pair; returns the first failure (an escape or a divergence). */
export function runBlock(pair: AppPair, input: BlockInput): FuzzFailure | undefined {
  const txs: Uint8Array[] = [];
  const offsets = new Map<number, bigint>();
  for (const spec of input.txs) {
    const off = offsets.get(spec.signer) ?? 0n;
    offsets.set(spec.signer, off + 1n);
    const tx = buildTx(pair, spec, off);
    txs.push(tx);
    const f = pair.check(tx, spec.recheck);
    if (f) return f;
  }
  return pair.block(txs, input.request);
}

/** Property for fast-check over a shared pair (replaced every `rotateEvery` runs to bound state). */
export function fuzzProperty(
  state: { pair: AppPair; runs: number; failures: FuzzFailure[] },
  rotateEvery = 500,
  onRun?: (runs: number) => void,
) {
  return fc.property(blockInput, (input) => {
    onRun?.(state.runs);
    if (state.runs > 0 && state.runs % rotateEvery === 0) {
      state.pair.close();
      state.pair = new AppPair();
    }
    state.runs++;
    const f = runBlock(state.pair, input);
    if (f) {
      state.failures.push(f);
      return false;
    }
    return true;
  });
}
