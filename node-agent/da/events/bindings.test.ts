import { describe, expect, it } from "vitest";
import { secp256k1KeyPair } from "../../../common/secp256k1.js";
import { NodeClass } from "../../../proto/gen/dsdn/da/v1/events.js";
import { signDeleteRequest, signNodeRegistration, verifyDeleteRequest, verifyNodeRegistration } from "./bindings.js";
import { sampleActor, sampleCid } from "./sampleWorkload.js";

describe("payload signatures", () => {
  const node = sampleActor("binding-node");
  const reg = {
    nodeId: Buffer.from(node.publicKey),
    operator: "nusa1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqz6y8gm",
    zone: "jakarta-1",
    class: NodeClass.NODE_CLASS_REGULAR,
    capacityBytes: 10n ** 12n,
    endpoint: "https://node.example:9000",
    registeredAtHeight: 12n,
  };

  it("a node registration verifies only unchanged and only under the node's own key", () => {
    const signed = signNodeRegistration(reg, node.secretKey);
    expect(verifyNodeRegistration(signed)).toBe(true);
    expect(verifyNodeRegistration({ ...signed, zone: "elsewhere" })).toBe(false);
    expect(verifyNodeRegistration({ ...signed, registeredAtHeight: 13n })).toBe(false);
    const other = signNodeRegistration(reg, sampleActor("impostor").secretKey);
    expect(verifyNodeRegistration(other)).toBe(false);
  });

  it("delete requests verify for node owners and account owners, and bind the address to the key", () => {
    const manifest = sampleCid("m");
    const byNode = signDeleteRequest(manifest, 5n, {
      kind: "node",
      secretKey: node.secretKey,
      publicKey: node.publicKey,
    });
    expect(verifyDeleteRequest(byNode)).toBe(true);
    expect(verifyDeleteRequest({ ...byNode, manifestCid: sampleCid("other") })).toBe(false);
    const acct = secp256k1KeyPair();
    const byAccount = signDeleteRequest(manifest, 5n, { kind: "account", ...acct });
    expect(byAccount.owner?.address).toMatch(/^nusa1/);
    expect(verifyDeleteRequest(byAccount)).toBe(true);
    expect(verifyDeleteRequest({ ...byAccount, requestedAtHeight: 6n })).toBe(false);
    // Someone else's key with a valid signature of their own, but naming the first account as owner.
    const mallory = secp256k1KeyPair();
    const forged = signDeleteRequest(manifest, 5n, { kind: "account", ...mallory });
    expect(verifyDeleteRequest({ ...forged, owner: byAccount.owner })).toBe(false);
  });
});
