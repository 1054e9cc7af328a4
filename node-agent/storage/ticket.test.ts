import { describe, expect, it } from "vitest";
import { cidForBytes } from "../../common/cid.js";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { toHex } from "../../common/hash.js";
import { decodeMessage, encodeMessage } from "../../common/protobuf.js";
import { PlacementTicket, SignedPlacementTicket } from "../../proto/gen/dsdn/storage/v1/ticket.js";
import { checkTicket, decodeTicket, signTicket } from "./ticket.js";

const seed = new Uint8Array(32).fill(3);
const coordinator = toHex(ed25519KeyPair(seed).publicKey);
const node = "cd".repeat(32);
const cid = cidForBytes(Buffer.from("chunk"));
const now = 1_800_000_000_000;
const fields = {
  kind: "placement" as const,
  cid,
  size: 5,
  nodeId: node,
  uploader: "u",
  issuedAtMs: now,
  expiresAtMs: now + 1000,
};
const ctx = { trustedCoordinators: new Set([coordinator]), nodeId: node, cid, nowMs: now };

describe("placement tickets", () => {
  it("round-trip: a trusted coordinator's ticket for this node and CID is accepted, with its id and expiry", () => {
    const t = checkTicket(signTicket(fields, seed), ctx);
    expect(t).toMatchObject({ kind: "placement", size: 5, nodeId: node, coordinator, expiresAtMs: now + 1000 });
    expect(t.id).toHaveLength(32);
    // Every ticket is distinct (random nonce), so ids never collide.
    expect(toHex(checkTicket(signTicket(fields, seed), ctx).id)).not.toBe(toHex(t.id));
  });

  it("refuses what an attacker controls: missing, garbage, altered, untrusted, other node, other CID, expired", () => {
    const good = signTicket(fields, seed);
    const outer = decodeMessage(SignedPlacementTicket, Buffer.from(good, "base64"));
    const inner = decodeMessage(PlacementTicket, outer.ticket);
    const altered = Buffer.from(
      encodeMessage(SignedPlacementTicket, {
        ticket: Buffer.from(encodeMessage(PlacementTicket, { ...inner, size: 5_000_000n })),
        signature: outer.signature,
      }),
    ).toString("base64");
    const cases: [string, string | undefined, Partial<typeof ctx>][] = [
      ["missing", undefined, {}],
      ["garbage", "AAAA", {}],
      ["not base64", "!!", {}],
      ["altered size", altered, {}],
      ["untrusted signer", signTicket(fields, new Uint8Array(32).fill(4)), {}],
      ["other node", good, { nodeId: "ef".repeat(32) }],
      ["other CID", good, { cid: cidForBytes(Buffer.from("other")) }],
      ["expired", good, { nowMs: now + 1000 }],
    ];
    for (const [what, b64, over] of cases)
      expect(() => checkTicket(b64, { ...ctx, ...over }), what).toThrow(
        expect.objectContaining({ code: "DSDN_UNAUTHORIZED" }),
      );
  });

  it("heal tickets decode as heals", () => {
    expect(decodeTicket(signTicket({ ...fields, kind: "heal" }, seed)).kind).toBe("heal");
  });
});
