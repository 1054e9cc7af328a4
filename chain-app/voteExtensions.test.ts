// Vote-extension sign bytes against CometBFT v0.38.26's own types.VoteExtensionSignBytes (vectors produced
// by a Go program linked against it), and the proposer-lies table for the injected extended commit.
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import { describe, expect, it } from "vitest";
import { ed25519KeyPair, ed25519Sign } from "../common/ed25519.js";
import { fromHex, sha256, toHex } from "../common/hash.js";
import { encodeInjectedCommit, verifyInjectedCommit, voteExtensionSignBytes } from "./voteExtensions.js";

describe("voteExtensionSignBytes", () => {
  it("equals CometBFT's VoteExtensionSignBytes", () => {
    expect(toHex(voteExtensionSignBytes("nusantara-1", 12345n, 2n, fromHex("089601")))).toBe(
      "240a03089601113930000000000000190200000000000000220b6e7573616e746172612d31",
    );
    // Empty extension and round 0 are omitted, as gogoproto omits default fields.
    expect(toHex(voteExtensionSignBytes("c", 7n, 0n, new Uint8Array()))).toBe("0c110700000000000000220163");
  });
});

const CHAIN = "vx-test";
const consensusAddress = (pub: Uint8Array) => sha256(pub).subarray(0, 20);
const keys = [1, 2, 3].map((i) => ed25519KeyPair(new Uint8Array(32).fill(i)));
const addrs = keys.map((k) => consensusAddress(k.publicKey));
const powers = [30n, 20n, 10n];
const HEIGHT = 10n; // the proposal's height; the extensions were signed at HEIGHT - 1

function vote(i: number, ext: Uint8Array, flag = BlockIDFlag.BLOCK_ID_FLAG_COMMIT) {
  const sig =
    ext.length || flag === BlockIDFlag.BLOCK_ID_FLAG_COMMIT
      ? ed25519Sign(voteExtensionSignBytes(CHAIN, HEIGHT - 1n, 0n, ext), keys[i]!.secretKey)
      : new Uint8Array();
  return {
    validator: { address: addrs[i]!, power: powers[i]! },
    voteExtension: flag === BlockIDFlag.BLOCK_ID_FLAG_COMMIT ? ext : new Uint8Array(),
    extensionSignature: flag === BlockIDFlag.BLOCK_ID_FLAG_COMMIT ? sig : new Uint8Array(),
    blockIdFlag: flag,
  };
}
const exts = [Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)];
const honest = () => ({ round: 0, votes: [0, 1, 2].map((i) => vote(i, exts[i]!)) });
const lastCommit = (flags = [1, 1, 1].map(() => BlockIDFlag.BLOCK_ID_FLAG_COMMIT)) => ({
  round: 0,
  votes: [0, 1, 2].map((i) => ({ validator: { address: addrs[i]!, power: powers[i]! }, blockIdFlag: flags[i]! })),
});
const verifier = {
  check: (ext: Uint8Array) => (ext.length > 4 ? "too long" : undefined),
  consensusPubkey: (a: Uint8Array) => keys[addrs.findIndex((x) => toHex(x) === toHex(a))]?.publicKey,
};
const judge = (item: Uint8Array | undefined, commit = lastCommit()) =>
  verifyInjectedCommit(item, commit, CHAIN, HEIGHT, verifier);

describe("verifyInjectedCommit: what a lying proposer can try", () => {
  it("accepts the honest extended commit and returns its votes", () => {
    const r = judge(encodeInjectedCommit(honest()));
    expect("votes" in r && r.votes.map((v) => toHex(v.voteExtension))).toEqual(["01", "02", "03"]);
  });

  const table: [string, () => { item: Uint8Array | undefined; commit?: ReturnType<typeof lastCommit> }, RegExp][] = [
    ["no injected item", () => ({ item: undefined }), /missing/],
    ["garbage bytes", () => ({ item: Uint8Array.of(0xff, 0xff, 0xff) }), /decode/],
    [
      "a forged price (extension changed, signature kept)",
      () => {
        const c = honest();
        c.votes[1]!.voteExtension = Uint8Array.of(9);
        return { item: encodeInjectedCommit(c) };
      },
      /vote 1: invalid extension signature/,
    ],
    [
      "an extension signed by another validator",
      () => {
        const c = honest();
        c.votes[2]!.extensionSignature = c.votes[0]!.extensionSignature;
        c.votes[2]!.voteExtension = exts[0]!;
        return { item: encodeInjectedCommit(c) };
      },
      /vote 2: invalid extension signature/,
    ],
    [
      "an omitted vote",
      () => {
        const c = honest();
        c.votes.splice(1, 1);
        return { item: encodeInjectedCommit(c) };
      },
      /votes differ/,
    ],
    [
      "a committing vote passed off as absent (drops its price)",
      () => {
        const c = honest();
        c.votes[0] = vote(0, new Uint8Array(), BlockIDFlag.BLOCK_ID_FLAG_ABSENT);
        return { item: encodeInjectedCommit(c) };
      },
      /vote 0: block id flag differs/,
    ],
    [
      "reordered votes",
      () => {
        const c = honest();
        [c.votes[0], c.votes[1]] = [c.votes[1]!, c.votes[0]!];
        return { item: encodeInjectedCommit(c) };
      },
      /vote 0: validator differs/,
    ],
    [
      "an inflated power",
      () => {
        const c = honest();
        c.votes[2]!.validator.power = 1000n;
        return { item: encodeInjectedCommit(c) };
      },
      /vote 2: power differs/,
    ],
    ["another round", () => ({ item: encodeInjectedCommit({ ...honest(), round: 1 }) }), /round differs/],
    [
      "an extension smuggled on an absent vote",
      () => {
        const c = honest();
        c.votes[2] = { ...vote(2, exts[2]!), blockIdFlag: BlockIDFlag.BLOCK_ID_FLAG_ABSENT };
        const flags = [
          BlockIDFlag.BLOCK_ID_FLAG_COMMIT,
          BlockIDFlag.BLOCK_ID_FLAG_COMMIT,
          BlockIDFlag.BLOCK_ID_FLAG_ABSENT,
        ];
        return { item: encodeInjectedCommit(c), commit: lastCommit(flags) };
      },
      /vote 2: extension on a vote that did not commit/,
    ],
    [
      "a malformed extension, validly signed",
      () => {
        const c = honest();
        c.votes[0] = vote(0, Uint8Array.of(1, 2, 3, 4, 5));
        return { item: encodeInjectedCommit(c) };
      },
      /vote 0: too long/,
    ],
    [
      "a validator the chain does not know",
      () => {
        const c = honest();
        const stranger = ed25519KeyPair(new Uint8Array(32).fill(9));
        c.votes[1]!.validator.address = consensusAddress(stranger.publicKey);
        const commit = lastCommit();
        commit.votes[1]!.validator.address = consensusAddress(stranger.publicKey);
        return { item: encodeInjectedCommit(c), commit };
      },
      /vote 1: unknown validator/,
    ],
  ];
  for (const [name, make, reason] of table)
    it(`refuses ${name}`, () => {
      const { item, commit } = make();
      const r = judge(item, commit);
      expect("reason" in r ? r.reason : "accepted").toMatch(reason);
    });
});
