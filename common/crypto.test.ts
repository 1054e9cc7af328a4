import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { describe, expect, it } from "vitest";
import { ed25519KeyPair, ed25519Sign, ed25519Verify } from "./ed25519.js";
import { fromHex, sha256, sha256Native, sha256Stream, toHex } from "./hash.js";
import { keyFromMnemonic } from "./mnemonic.js";
import {
  fromBech32Address,
  pubKeyToAddress,
  secp256k1KeyPair,
  secp256k1Sign,
  secp256k1Verify,
  secp256k1VerifyEngine,
  secp256k1VerifyNoble,
  secp256k1VerifyOpenSsl,
  toBech32Address,
} from "./secp256k1.js";

describe("sha256", () => {
  it("matches the FIPS 180-2 vector and is deterministic across implementations", async () => {
    const abc = new TextEncoder().encode("abc");
    const expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    expect(toHex(sha256(abc))).toBe(expected);
    expect(toHex(sha256Native(abc))).toBe(expected);
    const streamed = await sha256Stream([abc.subarray(0, 1), abc.subarray(1)]);
    expect(toHex(streamed.digest)).toBe(expected);
    expect(streamed.length).toBe(3n);
  });

  it("streams many pieces to the same digest as one buffer", async () => {
    const big = new Uint8Array(1_000_003).map((_, i) => (i * 31) & 0xff);
    const pieces = [];
    for (let o = 0; o < big.length; o += 65_536) pieces.push(big.subarray(o, o + 65_536));
    expect(toHex((await sha256Stream(pieces)).digest)).toBe(toHex(sha256(big)));
  });
});

describe("ed25519", () => {
  // RFC 8032 §7.1, TEST 2 (one-byte message 0x72).
  const sk = fromHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
  const pk = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
  const sig =
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

  it("reproduces the RFC 8032 test vector", () => {
    const kp = ed25519KeyPair(sk);
    expect(toHex(kp.publicKey)).toBe(pk);
    expect(toHex(ed25519Sign(fromHex("72"), sk))).toBe(sig);
    expect(ed25519Verify(fromHex(sig), fromHex("72"), fromHex(pk))).toBe(true);
  });

  it("rejects a tampered signature, message or key without throwing", () => {
    const kp = ed25519KeyPair();
    const msg = new TextEncoder().encode("bind node to operator");
    const s = ed25519Sign(msg, kp.secretKey);
    expect(ed25519Verify(s, msg, kp.publicKey)).toBe(true);
    const bad = s.slice();
    bad[5] = (bad[5] as number) ^ 1;
    expect(ed25519Verify(bad, msg, kp.publicKey)).toBe(false);
    expect(ed25519Verify(s, new TextEncoder().encode("bind node to someone"), kp.publicKey)).toBe(false);
    expect(ed25519Verify(s, msg, ed25519KeyPair().publicKey)).toBe(false);
    expect(ed25519Verify(s.subarray(0, 63), msg, kp.publicKey)).toBe(false);
  });
});

describe("secp256k1 + Cosmos addresses", () => {
  const mnemonic =
    "surround miss nominee dream gap cross assault thank captain prosper drop duty group candy wealth weather scale put";

  it("derives the same address from a mnemonic as CosmJS's own wallet", async () => {
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "nusa" });
    const [account] = await wallet.getAccounts();
    const kp = keyFromMnemonic(mnemonic);
    expect(toHex(kp.publicKey)).toBe(toHex(account!.pubkey));
    expect(pubKeyToAddress(kp.publicKey)).toBe(account!.address);
    expect(account!.address.startsWith("nusa1")).toBe(true);
  });

  it("matches the cosmos address of a published mnemonic (cosmjs test vector)", () => {
    // CosmJS's documented test mnemonic: its first cosmos address is cosmos1pkptre7fdkl6gfrzlesjjvhxhlc3r4gmmk8rs6.
    const faucet =
      "economy stock theory fatal elder harbor betray wasp final emotion task crumble siren bottom lizard educate guess current outdoor pair theory focus wife stone";
    const kp = keyFromMnemonic(faucet);
    expect(pubKeyToAddress(kp.publicKey, "cosmos")).toBe("cosmos1pkptre7fdkl6gfrzlesjjvhxhlc3r4gmmk8rs6");
  });

  it("signs low-S, verifies, and rejects tampered and high-S signatures", () => {
    const kp = secp256k1KeyPair();
    const doc = new TextEncoder().encode("sign doc bytes");
    const sig = secp256k1Sign(doc, kp.secretKey);
    expect(sig.length).toBe(64);
    expect(secp256k1Verify(sig, doc, kp.publicKey)).toBe(true);
    const tampered = sig.slice();
    tampered[10] = (tampered[10] as number) ^ 0x40;
    expect(secp256k1Verify(tampered, doc, kp.publicKey)).toBe(false);
    expect(secp256k1Verify(sig, new TextEncoder().encode("other"), kp.publicKey)).toBe(false);
    // The malleable twin (r, n - s) is a valid ECDSA signature but must be refused.
    const n = secp256k1.Point.CURVE().n;
    const s = BigInt(`0x${toHex(sig.subarray(32))}`);
    const highS = new Uint8Array(64);
    highS.set(sig.subarray(0, 32));
    highS.set(fromHex((n - s).toString(16).padStart(64, "0")), 32);
    expect(secp256k1Verify(highS, doc, kp.publicKey)).toBe(false);
  });

  it("OpenSSL verification agrees with noble's on valid, tampered, high-S and malformed inputs", () => {
    for (let i = 0; i < 40; i++) {
      const kp = secp256k1KeyPair();
      const doc = new TextEncoder().encode(`doc ${i}`);
      const sig = secp256k1Sign(doc, kp.secretKey);
      const variants: Uint8Array[] = [sig];
      const t = sig.slice();
      t[i % 64] = (t[i % 64] as number) ^ (1 << (i % 8));
      variants.push(t);
      const n = secp256k1.Point.CURVE().n;
      const high = sig.slice();
      high.set(fromHex((n - BigInt(`0x${toHex(sig.subarray(32))}`)).toString(16).padStart(64, "0")), 32);
      variants.push(high, new Uint8Array(64), sig.subarray(0, 63));
      for (const v of variants) {
        expect(secp256k1Verify(v, doc, kp.publicKey)).toBe(secp256k1VerifyNoble(v, doc, kp.publicKey));
      }
      expect(secp256k1Verify(sig, doc, kp.publicKey)).toBe(true);
    }
    // A key that is not on the curve is refused, not thrown.
    const bad = new Uint8Array(33).fill(0xff);
    bad[0] = 2;
    expect(secp256k1Verify(new Uint8Array(64).fill(1), new Uint8Array(1), bad)).toBe(false);
  });

  it("verifies with libsecp256k1 here (the fast engine), and every engine agrees on an attacker's inputs", () => {
    expect(secp256k1VerifyEngine).toBe("libsecp256k1");
    const n = secp256k1.Point.CURVE().n;
    const p = secp256k1.Point.CURVE().p;
    const be32 = (x: bigint) => fromHex(x.toString(16).padStart(64, "0"));
    const kp = secp256k1KeyPair();
    const other = secp256k1KeyPair();
    const doc = new TextEncoder().encode("attacker table");
    const sig = secp256k1Sign(doc, kp.secretKey);
    const r = sig.subarray(0, 32);
    const sv = BigInt(`0x${toHex(sig.subarray(32))}`);
    const withRS = (rr: Uint8Array, ss: Uint8Array) => {
      const out = new Uint8Array(64);
      out.set(rr);
      out.set(ss, 32);
      return out;
    };
    // The same key with the other parity byte is a different point (its negation).
    const negated = kp.publicKey.slice();
    negated[0] = negated[0] === 2 ? 3 : 2;
    const offCurveX = kp.publicKey.slice();
    offCurveX.set(be32(p - 1n), 1); // x = p - 1 (whether or not a point has it, it is not the signer's)
    const xTooBig = kp.publicKey.slice();
    xTooBig.set(be32(p), 1); // x = p is not a field element
    const uncompressedTag = kp.publicKey.slice();
    uncompressedTag[0] = 4;
    const table: [string, Uint8Array, Uint8Array, boolean][] = [
      ["valid", sig, kp.publicKey, true],
      ["high-S twin (r, n - s)", withRS(r, be32(n - sv)), kp.publicKey, false],
      ["s = 0", withRS(r, be32(0n)), kp.publicKey, false],
      ["s = n", withRS(r, be32(n)), kp.publicKey, false],
      ["r = 0", withRS(be32(0n), sig.subarray(32)), kp.publicKey, false],
      ["r = n", withRS(be32(n), sig.subarray(32)), kp.publicKey, false],
      ["r = 2^256 - 1 (overflows n)", withRS(new Uint8Array(32).fill(0xff), sig.subarray(32)), kp.publicKey, false],
      ["wrong key", sig, other.publicKey, false],
      ["negated key", sig, negated, false],
      ["key x = p", sig, xTooBig, false],
      ["key with an uncompressed tag", sig, uncompressedTag, false],
      ["key x = p - 1", sig, offCurveX, false],
      ["65-byte signature", new Uint8Array([...sig, 0]), kp.publicKey, false],
      ["65-byte key", sig, secp256k1.getPublicKey(kp.secretKey, false), false],
    ];
    for (const [name, sg, pk, want] of table) {
      const got = [
        secp256k1Verify(sg, doc, pk),
        secp256k1VerifyOpenSsl(sg, doc, pk),
        secp256k1VerifyNoble(sg, doc, pk),
      ];
      expect({ name, got }).toEqual({ name, got: [want, want, want] });
    }
  });

  it("remembered bech32 conversions stay exact: mutated results, other prefixes and bad checksums", () => {
    const bytes = fromHex("0d82b1e7c96dbfa42462fe612932e6bff111d51b");
    const addr = toBech32Address(bytes);
    const got = fromBech32Address(addr);
    got.fill(0);
    expect(toHex(fromBech32Address(addr))).toBe(toHex(bytes));
    // The same bytes under another prefix, and the same address asked for with another prefix.
    expect(toBech32Address(bytes, "cosmos")).toBe("cosmos1pkptre7fdkl6gfrzlesjjvhxhlc3r4gmmk8rs6");
    expect(() => fromBech32Address(addr, "cosmos")).toThrow(/prefix "nusa", expected "cosmos"/);
    // One changed character fails its checksum, however often the good one was seen.
    const last = addr.at(-1) === "q" ? "p" : "q";
    expect(() => fromBech32Address(addr.slice(0, -1) + last)).toThrow(TypeError);
    // Writing into the input after encoding does not change what the same bytes encode to later.
    const input = bytes.slice();
    expect(toBech32Address(input)).toBe(addr);
    input[0] = 0xff;
    expect(toBech32Address(input)).not.toBe(addr);
    expect(toBech32Address(bytes)).toBe(addr);
  });

  it("round-trips bech32 and names a bad prefix", () => {
    const bytes = fromHex("0d82b1e7c96dbfa42462fe612932e6bff111d51b");
    const addr = toBech32Address(bytes);
    expect(toHex(fromBech32Address(addr))).toBe(toHex(bytes));
    expect(() => fromBech32Address(toBech32Address(bytes, "cosmos"))).toThrow(/prefix "cosmos", expected "nusa"/);
    expect(() => fromBech32Address(`${addr.slice(0, -1)}x`)).toThrow(/invalid address/);
  });
});
