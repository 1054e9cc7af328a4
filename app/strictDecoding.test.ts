// Finding 5: unknown protobuf fields. A signed tx must not carry fields the chain silently drops;
// the verdicts follow the Cosmos SDK (codec/unknownproto + x/auth/tx decoder + ante):
// critical unknown field anywhere -> sdk/2, non-critical (>= 1024) only in the body, critical
// extension options -> sdk/31, non-critical ones ignored; CosmJS-made txs pass.
import { DirectSecp256k1Wallet, Registry } from "@cosmjs/proto-signing";
import { defaultRegistryTypes, SigningStargateClient } from "@cosmjs/stargate";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { AuthInfo, SignDoc, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { secp256k1KeyPair, secp256k1Sign } from "../common/secp256k1.js";
import { MsgUnjail } from "../proto/gen/dsdn/slashing/v1/tx.js";
import { concatBytes, lenField, tag, varint, varintField } from "../test/support/protoWire.js";
import { CHAIN_ID, TestChain } from "../test/support/testChain.js";
import { addressOf, sendMsg } from "../test/support/txBuilder.js";

const alice = secp256k1KeyPair(new Uint8Array(32).fill(7));
const bob = secp256k1KeyPair(new Uint8Array(32).fill(8));
const ALICE = addressOf(alice);
const BOB = addressOf(bob);

let chain: TestChain;
beforeAll(() => {
  chain = TestChain.start({ balances: [{ address: ALICE, amount: 10_000_000_000n }] });
  chain.block(); // CheckTx runs on committed state
});
afterAll(() => chain.close());

const pubKeyAny = (extra: Uint8Array = new Uint8Array()): Any => ({
  typeUrl: "/cosmos.crypto.secp256k1.PubKey",
  value: concatBytes(PubKey.encode({ key: alice.publicKey }).finish(), extra),
});

function authInfo(o: { pubKey?: Any; extra?: Uint8Array; granter?: string; payer?: string } = {}): Uint8Array {
  const bytes = AuthInfo.encode(
    AuthInfo.fromPartial({
      signerInfos: [
        {
          publicKey: o.pubKey ?? pubKeyAny(),
          modeInfo: { single: { mode: SignMode.SIGN_MODE_DIRECT } },
          sequence: 0n,
        },
      ],
      fee: {
        amount: [{ denom: "unusa", amount: "10000" }],
        gasLimit: 400_000n,
        granter: o.granter ?? "",
        payer: o.payer ?? "",
      },
    }),
  ).finish();
  return concatBytes(bytes, o.extra ?? new Uint8Array());
}

/** A correctly signed tx over exactly these body and auth-info bytes, at alice's committed account. */
function signed(bodyBytes: Uint8Array, authInfoBytes: Uint8Array = authInfo()): Uint8Array {
  const signBytes = SignDoc.encode({ bodyBytes, authInfoBytes, chainId: CHAIN_ID, accountNumber: 0n }).finish();
  return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [secp256k1Sign(signBytes, alice.secretKey)] }).finish();
}

const body = (msgs: Any[], extra: Uint8Array = new Uint8Array()) =>
  concatBytes(TxBody.encode(TxBody.fromPartial({ messages: msgs })).finish(), extra);
const send = (extra: Uint8Array = new Uint8Array()): Any => {
  const m = sendMsg(ALICE, BOB, 5n);
  return { typeUrl: m.typeUrl, value: concatBytes(m.value, extra) };
};

function check(tx: Uint8Array): { code: number; codespace: string; log: string } {
  const r = chain.app.checkTx({ tx, type: 0 } as any);
  chain.block(); // an empty block resets the check state, so every case starts from sequence 0
  return { code: r.code ?? 0, codespace: r.codespace ?? "", log: r.log ?? "" };
}

// A field number's non-critical bit is bit 11 (value 1024).
const critical = (n: number) => lenField(n, new Uint8Array([1, 2, 3]));

describe("unknown protobuf fields (finding 5)", () => {
  it("accepts the plain tx the cases below are built from", () => {
    expect(check(signed(body([send()])))).toMatchObject({ code: 0 });
  });

  const refusals: [string, () => Uint8Array, number, RegExp][] = [
    ["critical unknown field in a message", () => signed(body([send(critical(9))])), 2, /unknown field 9/],
    [
      "critical unknown field in a nested message (a Coin)",
      () =>
        signed(
          body([
            {
              typeUrl: "/cosmos.bank.v1beta1.MsgSend",
              value: concatBytes(
                MsgSend.encode({ fromAddress: ALICE, toAddress: BOB, amount: [] }).finish(),
                lenField(3, concatBytes(lenField(1, Buffer.from("unusa")), lenField(2, Buffer.from("5")), critical(3))),
              ),
            },
          ]),
        ),
      2,
      /unknown field 3 .*Coin/,
    ],
    [
      "critical unknown field in a dsdn message",
      () =>
        signed(
          body([
            {
              typeUrl: "/dsdn.slashing.v1.MsgUnjail",
              value: concatBytes(MsgUnjail.encode({ signer: ALICE }).finish(), critical(7)),
            },
          ]),
        ),
      2,
      /unknown field 7/,
    ],
    ["critical unknown field in the body", () => signed(body([send()], critical(6))), 2, /unknown field 6/],
    [
      "non-critical unknown field in AuthInfo (strict, as the SDK)",
      () => signed(body([send()]), authInfo({ extra: critical(1025) })),
      2,
      /unknown field 1025/,
    ],
    [
      "unknown field inside the signer's public key Any",
      () => signed(body([send()]), authInfo({ pubKey: pubKeyAny(critical(2)) })),
      2,
      /unknown field 2 .*PubKey/,
    ],
    [
      "a known field with the wrong wire type (from_address as a varint)",
      () => signed(body([{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: varintField(1, 5) }])),
      2,
      /wire type 0/,
    ],
    [
      "TxBody.unordered, which this chain does not implement",
      () => signed(body([send()], varintField(4, 1))),
      2,
      /unknown field 4/,
    ],
    [
      "a critical extension option",
      () => signed(body([send()], lenField(1023, lenField(1, Buffer.from("/dsdn.ext.v1.Critical"))))),
      31,
      /unknown extension options/,
    ],
    [
      "a fee granter without a fee-grant module",
      () => signed(body([send()]), authInfo({ granter: BOB })),
      18,
      /fee grants are not enabled/,
    ],
    [
      "a varint longer than 64 bits",
      () => signed(body([send()], concatBytes(tag(3, 0), varint(1n << 70n)))),
      2,
      /varint/,
    ],
  ];
  for (const [name, tx, code, log] of refusals) {
    it(`refuses ${name}`, () => {
      const r = check(tx());
      expect(r.codespace, r.log).toBe("sdk");
      expect(r.code, r.log).toBe(code);
      expect(r.log).toMatch(log);
    });
  }

  it("accepts non-critical unknown fields (>= 1024) in the body and its messages, and non-critical extension options", () => {
    const nonCritical = lenField(1030, new Uint8Array([9, 9]));
    const ext = lenField(
      2047,
      concatBytes(lenField(1, Buffer.from("/dsdn.ext.v1.Hint")), lenField(2, Buffer.from("x"))),
    );
    const r = check(signed(body([send(nonCritical)], concatBytes(nonCritical, ext))));
    expect(r, r.log).toMatchObject({ code: 0 });
  });

  it("accepts txs signed by CosmJS, for a Cosmos and a dsdn message", async () => {
    const wallet = await DirectSecp256k1Wallet.fromKey(bob.secretKey, "nusa");
    const registry = new Registry([...defaultRegistryTypes, ["/dsdn.slashing.v1.MsgUnjail", MsgUnjail as any]]);
    const client = await SigningStargateClient.offline(wallet, { registry });
    chain.block([chain.tx(alice, [sendMsg(ALICE, BOB, 1_000_000n)])]);
    const fee = { amount: [{ denom: "unusa", amount: "10000" }], gas: "400000" };
    const signer = { accountNumber: chain.accountNumber(BOB), sequence: 0, chainId: CHAIN_ID };
    const sendRaw = await client.sign(
      BOB,
      [
        {
          typeUrl: "/cosmos.bank.v1beta1.MsgSend",
          value: { fromAddress: BOB, toAddress: ALICE, amount: [{ denom: "unusa", amount: "1" }] },
        },
      ],
      fee,
      "memo from cosmjs",
      signer,
    );
    expect(check(TxRaw.encode(sendRaw).finish())).toMatchObject({ code: 0 });
    const unjailRaw = await client.sign(
      BOB,
      [{ typeUrl: "/dsdn.slashing.v1.MsgUnjail", value: { signer: BOB } }],
      fee,
      "",
      signer,
    );
    // Through every wire and signature check; refused only by the slashing module (bob is no validator).
    expect(check(TxRaw.encode(unjailRaw).finish())).toMatchObject({ codespace: "slashing" });
  });
});
