/**
 * `dsdnd tx fraud descend` and the `descent` claim of `dsdnd tx fraud challenge`: bad arguments are refused through
 * the translation layer before any file, key or node is touched, and the messages they build play a real Merkle
 * descent on an in-process chain down to the made-up checkpoint.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../../../common/cli.js";
import { toHex } from "../../../common/hash.js";
import { packAny } from "../../../common/protobuf.js";
import { DisputeType, GameStatus } from "../../../proto/gen/dsdn/fraud/v1/fraud.js";
import { MsgChallenge, MsgDescend } from "../../../proto/gen/dsdn/fraud/v1/tx.js";
import { computeReceipt, leftmostDiffering, queryGame, receiptBytes, reveal } from "../../../test/support/fraudGame.js";
import { realRun } from "../../../test/support/fraudRun.js";
import { type Fixture, setupFixture } from "../../../test/support/receiptFixture.js";
import { addressOf } from "../../../test/support/txBuilder.js";
import { challengeMsg, descendMsg } from "../../sdk/fraud.js";
import { dsdnd } from "../main.js";
import { challengeClaim, descendMove } from "./fraud.js";

const H = (b: number) => toHex(new Uint8Array(32).fill(b));

/** Runs `dsdnd <argv>` in process; returns its exit code and what it wrote to stderr. */
async function cli(argv: string[]): Promise<{ code: number; err: string }> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    return { code: await runCli("dsdnd", dsdnd, argv), err: lines.join("") };
  } finally {
    spy.mockRestore();
  }
}

describe("dsdnd tx fraud descend / challenge … descent: argument errors", () => {
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), "fraud-cli-"));
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  // No keyring in `home`, no node at port 1, no receipt file: an argument error must come before any of them.
  const common = ["--home", "", "--node", "http://127.0.0.1:1", "--keyring-backend", "test"];
  const tx = (...a: string[]) => ["--lang", "en", "tx", "fraud", ...a, ...common.map((x) => x || home)];

  it.each([
    ["a zero game id", ["descend", "0", "--child", "1", "--from", "k"], /<game-id> must be a positive integer/],
    ["a game id that is not a number", ["descend", "1x", "--child", "1", "--from", "k"], /<game-id> must be/],
    ["neither --hashes nor --child", ["descend", "1", "--from", "k"], /usage: dsdnd tx fraud descend/],
    [
      "both --hashes and --child",
      ["descend", "1", "--hashes", `${H(1)},${H(2)}`, "--child", "0", "--from", "k"],
      /usage/,
    ],
    ["no --from", ["descend", "1", "--child", "1"], /usage: dsdnd tx fraud descend/],
    ["two game ids", ["descend", "1", "2", "--child", "1", "--from", "k"], /usage: dsdnd tx fraud descend/],
    ["--child 2", ["descend", "1", "--child", "2", "--from", "k"], /--child is 0 \(left\) or 1 \(right\)/],
    ["one hash", ["descend", "1", "--hashes", H(1), "--from", "k"], /--hashes: 2 hashes .* or 3/],
    ["four hashes", ["descend", "1", "--hashes", [1, 2, 3, 4].map(H).join(","), "--from", "k"], /--hashes: 2 hashes/],
    ["a short hash", ["descend", "1", "--hashes", `${H(1)},abcd`, "--from", "k"], /64-hex hashes, comma-separated/],
    ["a non-hex hash", ["descend", "1", "--hashes", `${H(1)},${"zz".repeat(32)}`, "--from", "k"], /64-hex hashes/],
    [
      "`descent` on invalid-output",
      ["challenge", "r.json", "invalid-output", "descent", "--from", "k"],
      /64-hex output hash/,
    ],
    [
      "`descent` on fake-execution",
      ["challenge", "r.json", "fake-execution", "descent", "--from", "k"],
      /fake-execution: <claim> is a checkpoint index/,
    ],
    [
      "an index past u64",
      ["challenge", "r.json", "invalid-state-transition", "18446744073709551616", "--from", "k"],
      /checkpoint index, or `descent`/,
    ],
    ["an inherited property as the dispute type", ["challenge", "r.json", "constructor", "1", "--from", "k"], /usage/],
    ["no --from on a descent challenge", ["challenge", "r.json", "invalid-state-transition", "descent"], /usage/],
  ])("refuses %s with a clear, translated error", async (_what, args, detail) => {
    const r = await cli(tx(...args));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/Invalid input/);
    expect(r.err).toMatch(detail);
    expect(r.err).not.toMatch(/ENOENT|keyring|ECONNREFUSED|at .*\.js:\d+/);
  });

  it("speaks Indonesian with --lang id", async () => {
    const r = await cli(["--lang", "id", ...tx("descend", "1", "--child", "7", "--from", "k").slice(2)]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/Masukan tidak valid/);
    expect(r.err).toMatch(/--child is 0/);
  });

  it("reads the move from valid arguments", () => {
    expect(descendMove(["7"], { from: "k", child: "1" })).toEqual({ gameId: 7n, hashes: [], child: 1 });
    const m = descendMove(["7"], { from: "k", hashes: `${H(1)},${H(2).toUpperCase()},${H(3)}` });
    expect(m.hashes.map(toHex)).toEqual([H(1), H(2), H(3)]);
    expect(m.child).toBe(0);
    const c = challengeClaim(["r.json", "invalid-state-transition", "descent"], "k");
    expect(c).toEqual({ type: DisputeType.DISPUTE_TYPE_INVALID_STATE_TRANSITION, claim: new Uint8Array(0) });
    expect(Buffer.from(challengeClaim(["r.json", "fake-execution", "3"], "k").claim).readBigUInt64BE(0)).toBe(3n);
  });
});

describe("the messages the CLI builds play a real Merkle descent", () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await setupFixture({
      validators: 4,
      fraud: { moveTimeoutSeconds: "200" },
      receipts: { computeWindowBaseSeconds: "120", computeWindowMaxSeconds: "120" },
    });
  }, 60_000);
  afterAll(() => fx?.dispose());
  const INPUT = new TextEncoder().encode("the quick brown fox\njumps over the lazy dog\n");
  const asAny = (e: EncodeObject) =>
    packAny(e.typeUrl, e.typeUrl.endsWith("MsgDescend") ? MsgDescend : MsgChallenge, e.value);

  it("`challenge <receipt> invalid-state-transition descent` opens a descent; `descend --hashes/--child` reach the made-up checkpoint", async () => {
    const K = 64n;
    const honest = realRun("wc.wasm", INPUT, K);
    const liar = realRun("wc.wasm", INPUT, K, undefined, undefined, [12]);
    const p = await computeReceipt(fx, liar);
    const BOB = addressOf(fx.bob);
    const CAROL = addressOf(fx.carol);
    const { type, claim } = challengeClaim(["receipt.json", "invalid-state-transition", "descent"], "carol");
    const c = fx.chain.exec(fx.carol, [
      asAny(challengeMsg({ challenger: CAROL, receipt: receiptBytes(p), disputeType: type, claim })),
    ]);
    expect(c.code, c.log).toBe(0);
    const id = BigInt(
      c.events.find((e) => e.type === "fraud_challenge")!.attributes.find((a) => a.key === "game_id")!.value,
    );
    expect(queryGame(fx, id).descending).toBe(true);

    const pick = leftmostDiffering(honest);
    let reveals = 0;
    for (let g = queryGame(fx, id); g.descending; g = queryGame(fx, id)) {
      const defending = g.status === GameStatus.GAME_STATUS_AWAIT_DEFENDER;
      const values = defending
        ? {
            from: "bob",
            hashes: reveal(g, liar)
              .map((h) => toHex(h))
              .join(","),
          }
        : { from: "carol", child: String(pick(g)) };
      const msg = descendMsg({ signer: defending ? BOB : CAROL, ...descendMove([id.toString()], values) });
      // The wire message carries exactly what was typed.
      const sent = MsgDescend.decode(MsgDescend.encode(msg.value as MsgDescend).finish());
      expect(sent.gameId).toBe(id);
      if (defending) {
        expect(sent.hashes.map((h) => toHex(h))).toEqual(reveal(g, liar).map((h) => toHex(h)));
        expect(sent.hashes.length).toBe(reveals++ === 0 ? 3 : 2);
      } else expect([sent.hashes.length, sent.child]).toEqual([0, pick(g)]);
      const r = fx.chain.exec(defending ? fx.bob : fx.carol, [asAny(msg)]);
      expect(r.code, r.log).toBe(0);
    }
    const g = queryGame(fx, id);
    expect(Buffer.from(g.claim).readBigUInt64BE(0)).toBe(12n); // the descent found the made-up checkpoint
    expect([g.lo, g.hi]).toEqual([11n * K, 12n * K]);
    expect(g.status).toBe(GameStatus.GAME_STATUS_AWAIT_DEFENDER);
  });

  it("a reveal typed with the wrong child order is built as typed and refused by the chain (the CLI does not reorder)", async () => {
    const K = 64n;
    const liar = realRun("wc.wasm", INPUT, K, undefined, undefined, [3]);
    const p = await computeReceipt(fx, liar);
    const { type, claim } = challengeClaim(["r", "invalid-state-transition", "descent"], "carol");
    const c = fx.chain.exec(fx.carol, [
      asAny(challengeMsg({ challenger: addressOf(fx.carol), receipt: receiptBytes(p), disputeType: type, claim })),
    ]);
    expect(c.code, c.log).toBe(0);
    const id = BigInt(
      c.events.find((e) => e.type === "fraud_challenge")!.attributes.find((a) => a.key === "game_id")!.value,
    );
    const [root, l, r] = reveal(queryGame(fx, id), liar).map((h) => toHex(h));
    const move = descendMove([id.toString()], { from: "bob", hashes: [root, r, l].join(",") });
    const x = fx.chain.exec(fx.bob, [asAny(descendMsg({ signer: addressOf(fx.bob), ...move }))]);
    expect([x.codespace, x.code], x.log).toEqual(["fraud", 21]);
  });
});
