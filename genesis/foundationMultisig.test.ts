import {
  createMultisigThresholdPubkey,
  type MultisigThresholdPubkey,
  pubkeyToAddress,
  Secp256k1Wallet,
} from "@cosmjs/amino";
import { encodePubkey, Registry } from "@cosmjs/proto-signing";
import { AminoTypes, defaultRegistryTypes, SigningStargateClient } from "@cosmjs/stargate";
import { MultiSignature } from "cosmjs-types/cosmos/crypto/multisig/v1beta1/multisig";
import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { MsgSubmitProposal, MsgVote } from "cosmjs-types/cosmos/gov/v1/tx";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { AuthInfo, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { afterEach, describe, expect, it } from "vitest";
import { ed25519KeyPair } from "../common/ed25519.js";
import { fromHex } from "../common/hash.js";
import { packAny } from "../common/protobuf.js";
import { secp256k1KeyPair } from "../common/secp256k1.js";
import { ModuleAccount, moduleAddress } from "../modules/auth/moduleAccounts.js";
import { FOUNDATION_APPROVE_AMINO_TYPE } from "../modules/gov/foundation.js";
import {
  ExecutionStatus,
  MsgFoundationApprove,
  MsgParamChange,
  QueryExecutionRequest,
  QueryExecutionResponse,
} from "../proto/gen/dsdn/gov/v1/gov.js";
import { CHAIN_ID, createValidatorMsg, NUSA, TestChain } from "../test/support/testChain.js";
import { addressOf } from "../test/support/txBuilder.js";
import { foundationRecord } from "./foundation.js";

const APPROVE = "/dsdn.gov.v1.MsgFoundationApprove";
const cosigners = [1, 2, 3, 4, 5].map((i) => secp256k1KeyPair(fromHex(`1${i}`.repeat(32))));
const b64 = (k: Uint8Array) => Buffer.from(k).toString("base64");
// What `dsdnd genesis set-foundation --threshold 3 --pubkey ...` writes (5 co-signers, 3 must sign).
const foundation = foundationRecord(
  cosigners.map((k) => b64(k.publicKey)),
  3,
);
const F = foundation.address;
const proposer = secp256k1KeyPair(fromHex("a9".repeat(32)));
const A = addressOf(proposer);

const registry = new Registry([...defaultRegistryTypes, [APPROVE, MsgFoundationApprove as never]]);
const aminoTypes = new AminoTypes({
  [APPROVE]: {
    aminoType: FOUNDATION_APPROVE_AMINO_TYPE,
    toAmino: (m: MsgFoundationApprove) => ({ signer: m.signer, proposal_id: m.proposalId.toString() }),
    fromAmino: (a: { signer: string; proposal_id: string }) => ({
      signer: a.signer,
      proposalId: BigInt(a.proposal_id),
    }),
  },
});
const fee = { amount: [{ denom: "unusa", amount: "10000" }], gas: "400000" };

/**
 * CosmJS 0.39.0's `makeMultisignedTx`, line for line, except that it reads the bech32 prefix with `fromBech32(addr)`,
 * whose default limit (Infinity) @scure/base 2.4.0 (this lockfile) refuses; the prefix is passed in instead.
 */
function makeMultisignedTxBytes(
  multisigPubkey: MultisigThresholdPubkey,
  sequence: number,
  fee: { amount: { denom: string; amount: string }[]; gas: string },
  bodyBytes: Uint8Array,
  signatures: Map<string, Uint8Array>,
): Uint8Array {
  const pubkeys = multisigPubkey.value.pubkeys;
  const signers = pubkeys.map((k) => signatures.has(pubkeyToAddress(k, "nusa")));
  const signaturesList = pubkeys.flatMap((k) => signatures.get(pubkeyToAddress(k, "nusa")) ?? []);
  const elems = new Uint8Array(Math.ceil(signers.length / 8));
  for (const [i, on] of signers.entries()) if (on) elems[Math.floor(i / 8)]! |= 1 << (7 - (i % 8));
  const authInfo = AuthInfo.fromPartial({
    signerInfos: [
      {
        publicKey: encodePubkey(multisigPubkey),
        modeInfo: {
          multi: {
            bitarray: { elems, extraBitsStored: signers.length % 8 },
            modeInfos: signaturesList.map(() => ({ single: { mode: SignMode.SIGN_MODE_LEGACY_AMINO_JSON } })),
          },
        },
        sequence: BigInt(sequence),
      },
    ],
    fee: { amount: [...fee.amount], gasLimit: BigInt(fee.gas) },
  });
  return TxRaw.encode(
    TxRaw.fromPartial({
      bodyBytes,
      authInfoBytes: AuthInfo.encode(authInfo).finish(),
      signatures: [MultiSignature.encode({ signatures: signaturesList }).finish()],
    }),
  ).finish();
}

/** Each chosen co-signer signs the approval in CosmJS (amino JSON, as the SDK's multisig flow); CosmJS assembles. */
async function multisignedApprove(which: number[], accountNumber: bigint, sequence: number): Promise<Uint8Array> {
  const msg = { typeUrl: APPROVE, value: MsgFoundationApprove.fromPartial({ signer: F, proposalId: 1n }) };
  const sigs = new Map<string, Uint8Array>();
  let bodyBytes: Uint8Array | undefined;
  for (const i of which) {
    const wallet = await Secp256k1Wallet.fromKey(cosigners[i]!.secretKey, "nusa");
    const { address } = (await wallet.getAccounts())[0]!;
    const client = await SigningStargateClient.offline(wallet, { registry, aminoTypes });
    const signed = await client.sign(address, [msg], fee, "foundation ceremony", {
      accountNumber,
      sequence,
      chainId: CHAIN_ID,
    });
    sigs.set(address, signed.signatures[0]!);
    bodyBytes ??= signed.bodyBytes;
  }
  const multisig = createMultisigThresholdPubkey(foundation.pubkey.value.pubkeys, 3);
  return makeMultisignedTxBytes(multisig, sequence, fee, bodyBytes!, sigs);
}

// An 8-key multisig: more keys than the default tx_sig_limit (7).
const big = createMultisigThresholdPubkey(
  [...Array(8).keys()].map((i) => ({
    type: "tendermint/PubKeySecp256k1",
    value: b64(secp256k1KeyPair(fromHex(`3${i}`.repeat(32))).publicKey),
  })),
  2,
);
const BIG = pubkeyToAddress(big, "nusa");

const chains: TestChain[] = [];
afterEach(() => {
  for (const ch of chains.splice(0)) ch.close();
});

describe("foundation multisig (LegacyAminoPubKey 3-of-5) from CosmJS", () => {
  it("a 3-of-5 CosmJS multisigned MsgFoundationApprove executes the proposal; 2-of-5 is refused by the ante handler", async () => {
    const ch = TestChain.start({
      balances: [A, F].map((address) => ({ address, amount: 1_000_000n * NUSA })),
      appState: {
        stake: { params: { minValidatorSelfBond: (1n * NUSA).toString() } },
        gov: { params: { foundation: F, votingPeriodSeconds: "20", minDeposit: "1000" } },
      },
    });
    chains.push(ch);
    ch.block();
    expect(ch.exec(proposer, [createValidatorMsg(A, ed25519KeyPair().publicKey, 10n * NUSA)]).code).toBe(0);
    const submit = packAny("/cosmos.gov.v1.MsgSubmitProposal", MsgSubmitProposal, {
      messages: [
        packAny("/dsdn.gov.v1.MsgParamChange", MsgParamChange, {
          authority: moduleAddress(ModuleAccount.Gov),
          module: "stake",
          paramsJson: JSON.stringify({ maxEntries: "9" }),
        }),
      ],
      initialDeposit: [{ denom: "unusa", amount: "1000" }],
      proposer: A,
      title: "t",
      summary: "s",
    });
    expect(ch.exec(proposer, [submit]).code).toBe(0);
    const vote = packAny("/cosmos.gov.v1.MsgVote", MsgVote, {
      proposalId: 1n,
      voter: A,
      option: VoteOption.VOTE_OPTION_YES,
    });
    expect(ch.exec(proposer, [vote]).code).toBe(0);
    ch.block([], { dt: 30n });
    const execution = () =>
      ch.query("/dsdn.gov.v1.Query/Execution", QueryExecutionRequest, { proposalId: 1n }, QueryExecutionResponse)
        .execution!;
    expect(execution().status).toBe(ExecutionStatus.EXECUTION_STATUS_AWAITING_FOUNDATION);
    const accountNumber = ch.accountNumber(F);

    const two = await multisignedApprove([0, 3], accountNumber, 0);
    expect(ch.check(two).code).toBe(4);
    const refused = ch.block([two]).txResults[0]!;
    expect([refused.codespace, refused.code]).toEqual(["sdk", 4]);
    expect(refused.log).toMatch(/2 of the 3 signatures/);
    expect(execution().status).toBe(ExecutionStatus.EXECUTION_STATUS_AWAITING_FOUNDATION);

    // A forged third signature (a key outside the five) does not count either.
    const forged = await multisignedApprove([0, 1, 2], accountNumber, 0);
    const tampered = Buffer.from(forged);
    tampered[tampered.length - 5]! ^= 1; // flips a bit inside the last co-signature
    expect(ch.block([tampered]).txResults[0]!.code).not.toBe(0);

    const three = await multisignedApprove([1, 2, 4], accountNumber, 0);
    expect(ch.check(three)).toEqual({ code: 0, log: expect.any(String) });
    const ok = ch.block([three]).txResults[0]!;
    expect([ok.code, ok.log]).toEqual([0, expect.any(String)]);
    expect(execution().status).toBe(ExecutionStatus.EXECUTION_STATUS_EXECUTED);
    // The sequence moved: the same signatures cannot be replayed.
    expect(ch.block([three]).txResults[0]!.code).toBe(32);
  });

  it("refuses malformed multisig signers: wrong key for the address, bit array vs signatures, too many keys", async () => {
    const ch = TestChain.start({
      balances: [A, F, BIG].map((address) => ({ address, amount: 1_000_000n * NUSA })),
      appState: { gov: { params: { foundation: F } } },
    });
    chains.push(ch);
    ch.block();
    const an = ch.accountNumber(F);
    const good = TxRaw.decode(await multisignedApprove([0, 1, 2], an, 0));
    const auth = AuthInfo.decode(good.authInfoBytes);
    const reencode = (a: AuthInfo, sigs = good.signatures) =>
      TxRaw.encode({ ...good, authInfoBytes: AuthInfo.encode(a).finish(), signatures: sigs }).finish();
    const run = (tx: Uint8Array) => ch.block([tx]).txResults[0]!;

    // Another 3-of-5 key (one co-signer swapped) does not own the foundation address.
    const other = createMultisigThresholdPubkey(
      [
        ...foundation.pubkey.value.pubkeys.slice(0, 4),
        { type: "tendermint/PubKeySecp256k1", value: b64(proposer.publicKey) },
      ],
      3,
    );
    const swapped = structuredClone(auth);
    swapped.signerInfos[0]!.publicKey = encodePubkey(other);
    expect(run(reencode(swapped)).log).toMatch(/pubKey does not match signer address/);

    // The bit array claims a fourth co-signer whose signature is missing.
    const claims = structuredClone(auth);
    claims.signerInfos[0]!.modeInfo!.multi!.bitarray!.elems = Uint8Array.of(0b11110000);
    expect(run(reencode(claims)).log).toMatch(/co-signer 3 (has no signature|must use)/);

    // A bit array sized for another key count.
    const size = structuredClone(auth);
    size.signerInfos[0]!.modeInfo!.multi!.bitarray!.extraBitsStored = 3;
    expect(run(reencode(size)).log).toMatch(/bit array has 3 bits for 5 keys/);

    // A multisig of more keys than tx_sig_limit (7) is refused before any signature is verified.
    const bodyBytes = registry.encodeTxBody({
      messages: [{ typeUrl: APPROVE, value: MsgFoundationApprove.fromPartial({ signer: BIG, proposalId: 1n }) }],
      memo: "",
    });
    const bigAuth = structuredClone(auth);
    bigAuth.signerInfos[0]!.publicKey = encodePubkey(big);
    bigAuth.signerInfos[0]!.modeInfo!.multi!.bitarray = { elems: Uint8Array.of(0b11000000), extraBitsStored: 0 };
    bigAuth.signerInfos[0]!.modeInfo!.multi!.modeInfos = auth.signerInfos[0]!.modeInfo!.multi!.modeInfos.slice(0, 2);
    const twoSigs = MultiSignature.encode({
      signatures: [new Uint8Array(64).fill(1), new Uint8Array(64).fill(2)],
    }).finish();
    const bigTx = TxRaw.encode({
      bodyBytes,
      authInfoBytes: AuthInfo.encode(bigAuth).finish(),
      signatures: [twoSigs],
    }).finish();
    expect(run(bigTx).log).toMatch(/signatures: 8, limit: 7/);

    // Nothing above moved the foundation's sequence: the honest 3-of-5 tx still applies.
    expect(run(TxRaw.encode(good).finish()).codespace).not.toBe("sdk");
  });
});
