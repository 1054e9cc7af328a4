import { Secp256k1HdWallet, serializeSignDoc } from "@cosmjs/amino";
import { describe, expect, it } from "vitest";
import { adr036Sign, adr036SignBytes, adr036Verify } from "./adr036.js";
import { keyFromMnemonic } from "./mnemonic.js";
import { pubKeyToAddress, secp256k1KeyPair } from "./secp256k1.js";

const MNEMONIC =
  "surround miss nominee dream gap cross assault thank captain prosper drop duty group candy wealth weather scale put";

describe("ADR-036", () => {
  it("is byte-compatible with the amino sign doc CosmJS (and Keplr's signArbitrary) signs", async () => {
    const wallet = await Secp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "nusa" });
    const [account] = await wallet.getAccounts();
    const data = new Uint8Array([0, 1, 2, 0xff, 0x3c, 0x26]);
    // Keplr's signArbitrary builds exactly this doc (chain id "", zero fee, MsgSignData) and signs it with signAmino.
    const doc = {
      chain_id: "",
      account_number: "0",
      sequence: "0",
      fee: { gas: "0", amount: [] },
      msgs: [
        { type: "sign/MsgSignData", value: { signer: account!.address, data: Buffer.from(data).toString("base64") } },
      ],
      memo: "",
    };
    expect(Buffer.from(adr036SignBytes(account!.address, data)).toString()).toBe(
      Buffer.from(serializeSignDoc(doc)).toString(),
    );
    const { signature } = await wallet.signAmino(account!.address, doc);
    const sig = Buffer.from(signature.signature, "base64");
    expect(adr036Verify(account!.address, data, account!.pubkey, sig)).toBe(true);
    // And ours verifies the same way (deterministic RFC 6979 nonces: the same bytes as CosmJS's).
    const kp = keyFromMnemonic(MNEMONIC);
    expect(pubKeyToAddress(kp.publicKey)).toBe(account!.address);
    expect(Buffer.from(adr036Sign(data, kp.secretKey, kp.publicKey)).equals(sig)).toBe(true);
  });

  it("refuses other data, another signer, a key not matching the signer and a malformed signature", async () => {
    const kp = keyFromMnemonic(MNEMONIC);
    const other = secp256k1KeyPair();
    const addr = pubKeyToAddress(kp.publicKey);
    const data = new TextEncoder().encode("dsdn");
    const sig = adr036Sign(data, kp.secretKey, kp.publicKey);
    expect(adr036Verify(addr, data, kp.publicKey, sig)).toBe(true);
    expect(adr036Verify(addr, new TextEncoder().encode("dsdm"), kp.publicKey, sig)).toBe(false);
    expect(adr036Verify(pubKeyToAddress(other.publicKey), data, other.publicKey, sig)).toBe(false);
    expect(adr036Verify(addr, data, other.publicKey, sig)).toBe(false);
    expect(adr036Verify(addr, data, kp.publicKey, sig.subarray(1))).toBe(false);
  });
});
