/** @module `visibility` in the user-signed workload spec: private changes the id; public keeps the encoding (and id) of a spec signed before the field. */
import { describe, expect, it } from "vitest";
import { pubKeyToAddress, secp256k1KeyPair } from "../../common/secp256k1.js";
import { WorkloadSpec } from "../../proto/gen/dsdn/compute/v1/workload.js";
import { parseIntent } from "./intent.js";
import { resolveIntent } from "./resolve.js";
import { buildWorkloadSpec, workloadId, workloadSpecProblem } from "./workload.js";

const ALICE = pubKeyToAddress(secp256k1KeyPair().publicKey);
const CID = `bafkrei${"a".repeat(52)}`;
const build = (text: string) =>
  buildWorkloadSpec(resolveIntent(parseIntent(text)), {
    chainId: "nusantara-localnet-1",
    submitter: ALICE,
    moduleCid: CID,
    inputCid: "",
    moduleSize: 10_240,
    inputSize: 0,
    moduleHash: new Uint8Array(32).fill(1),
    inputHash: new Uint8Array(32).fill(2),
  });
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("visibility in the signed spec", () => {
  it("a batch job is private by default, and says so in what the user signs", () => {
    expect(build("type: batch\nentry: a.wasm\n").visibility).toBe("private");
    expect(build("type: batch\nentry: a.wasm\nvisibility: public\n").visibility).toBe("");
    expect(build("type: web_app\nentry: a.wasm\n").visibility).toBe("");
  });

  it("a public spec encodes (and so is identified) exactly as one signed before visibility existed", () => {
    const pub = build("type: batch\nentry: a.wasm\nvisibility: public\n");
    const priv = build("type: batch\nentry: a.wasm\nvisibility: private\n");
    const { visibility: _, ...older } = pub;
    // An older client never set field 22: its spec decodes with visibility "" (public) and keeps its id.
    const olderSpec = WorkloadSpec.decode(WorkloadSpec.encode(WorkloadSpec.fromPartial(older)).finish());
    expect(olderSpec.visibility).toBe("");
    expect(hex(workloadId(pub))).toBe(hex(workloadId(olderSpec)));
    expect(hex(workloadId(priv))).not.toBe(hex(workloadId(pub)));
  });

  it("the coordinator and node refuse an unknown visibility, naming the field", () => {
    const s = build("type: batch\nentry: a.wasm\n");
    expect(workloadSpecProblem(s)).toBeUndefined();
    expect(workloadSpecProblem({ ...s, visibility: "" })).toBeUndefined();
    // One encoding per meaning: a spelled-out "public" would give the same job a second id.
    expect(workloadSpecProblem({ ...s, visibility: "public" })?.[0]).toBe("visibility");
    expect(workloadSpecProblem({ ...s, visibility: "secret" })?.[0]).toBe("visibility");
  });
});
