import { BinaryWriter } from "cosmjs-types/binary";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { describe, expect, it } from "vitest";
import "./cosmjsWriter.js";
import { toHex } from "./hash.js";

describe("cosmjs-types BinaryWriter allocation (exact-size allocation installed)", () => {
  it("a finished small message owns an exact-size buffer, not a view of a fresh 8 KiB slab", () => {
    const bytes = MsgSend.encode({
      fromAddress: "nusa1from",
      toAddress: "nusa1to",
      amount: [{ denom: "unusa", amount: "5" }],
    }).finish();
    expect(bytes.buffer.byteLength).toBe(bytes.length);
    expect((BinaryWriter.alloc(10) as Uint8Array).buffer.byteLength).toBe(10);
  });

  it("encodes the same bytes as before (a hand-checked protobuf vector)", () => {
    const bytes = MsgSend.encode({ fromAddress: "a", toAddress: "b", amount: [{ denom: "u", amount: "5" }] }).finish();
    // field 1 "a", field 2 "b", field 3 Coin{denom "u", amount "5"}
    expect(toHex(bytes)).toBe("0a01611201621a060a0175120135");
  });
});
