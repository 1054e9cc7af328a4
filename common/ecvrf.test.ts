import { describe, expect, it } from "vitest";
import { ECVRF_PROOF_BYTES, ecvrfProofToHash, ecvrfProve, ecvrfPublicKey, ecvrfVerify } from "./ecvrf.js";
import { fromHex, toHex } from "./hash.js";

// RFC 9381 Appendix B.3, Examples 16-18 (ECVRF-EDWARDS25519-SHA512-TAI); keys and messages from RFC 8032 §7.1.
const VECTORS = [
  {
    sk: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    pk: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    alpha: "",
    pi:
      "8657106690b5526245a92b003bb079ccd1a92130477671f6fc01ad16f26f723f" +
      "26f8a57ccaed74ee1b190bed1f479d9727d2d0f9b005a6e456a35d4fb0daab12" +
      "68a1b0db10836d9826a528ca76567805",
    beta:
      "90cf1df3b703cce59e2a35b925d411164068269d7b2d29f3301c03dd757876ff" +
      "66b71dda49d2de59d03450451af026798e8f81cd2e333de5cdf4f3e140fdd8ae",
  },
  {
    sk: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    pk: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    alpha: "72",
    pi:
      "f3141cd382dc42909d19ec5110469e4feae18300e94f304590abdced48aed593" +
      "3bf0864a62558b3ed7f2fea45c92a465301b3bbf5e3e54ddf2d935be3b67926d" +
      "a3ef39226bbc355bdc9850112c8f4b02",
    beta:
      "eb4440665d3891d668e7e0fcaf587f1b4bd7fbfe99d0eb2211ccec90496310eb" +
      "5e33821bc613efb94db5e5b54c70a848a0bef4553a41befc57663b56373a5031",
  },
  {
    sk: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    pk: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
    alpha: "af82",
    pi:
      "9bc0f79119cc5604bf02d23b4caede71393cedfbb191434dd016d30177ccbf80" +
      "96bb474e53895c362d8628ee9f9ea3c0e52c7a5c691b6c18c9979866568add7a" +
      "2d41b00b05081ed0f58ee5e31b3a970e",
    beta:
      "645427e5d00c62a23fb703732fa5d892940935942101e456ecca7bb217c61c45" +
      "2118fec1219202a0edcf038bb6373241578be7217ba85a2687f7a0310b2df19f",
  },
];

describe("ECVRF-EDWARDS25519-SHA512-TAI (RFC 9381)", () => {
  it.each(VECTORS.map((v, i) => [16 + i, v] as const))("matches RFC 9381 Appendix B.3 example %i", (_, v) => {
    const sk = fromHex(v.sk);
    const alpha = fromHex(v.alpha);
    expect(toHex(ecvrfPublicKey(sk))).toBe(v.pk);
    const pi = ecvrfProve(sk, alpha);
    expect(toHex(pi)).toBe(v.pi);
    expect(toHex(ecvrfProofToHash(pi)!)).toBe(v.beta);
    expect(toHex(ecvrfVerify(fromHex(v.pk), alpha, fromHex(v.pi))!)).toBe(v.beta);
  });

  it("refuses every single-bit change of the proof, another input, another key, bad lengths and small-order keys", () => {
    const v = VECTORS[1]!;
    const pk = fromHex(v.pk);
    const alpha = fromHex(v.alpha);
    const pi = fromHex(v.pi);
    for (let bit = 0; bit < ECVRF_PROOF_BYTES * 8; bit++) {
      const bad = pi.slice();
      bad[bit >> 3]! ^= 1 << (bit & 7);
      expect(ecvrfVerify(pk, alpha, bad), `bit ${bit}`).toBeUndefined();
    }
    expect(ecvrfVerify(pk, fromHex("73"), pi)).toBeUndefined();
    expect(ecvrfVerify(fromHex(VECTORS[0]!.pk), alpha, pi)).toBeUndefined();
    expect(ecvrfVerify(pk, alpha, pi.subarray(0, 79))).toBeUndefined();
    expect(ecvrfVerify(pk.subarray(0, 31), alpha, pi)).toBeUndefined();
    const identity = new Uint8Array(32);
    identity[0] = 1; // y = 1: the neutral element, small order
    expect(ecvrfVerify(identity, alpha, pi)).toBeUndefined();
    const sMax = pi.slice();
    sMax.fill(0xff, 48);
    expect(ecvrfVerify(pk, alpha, sMax)).toBeUndefined(); // s ≥ q is not canonical
  });
});
