import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cidForBytes } from "../../common/cid.js";
import { sha256, toHex } from "../../common/hash.js";
import { executionCommitmentProblem } from "../../common/receipts/receiptBytes.js";
import { runModule } from "../../common/wasm/run.js";
import { WorkloadSpec } from "../../proto/gen/dsdn/compute/v1/workload.js";
import { ReceiptKind } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { type Fault, faultText } from "../fraud/fault.js";
import { Replay } from "../fraud/replay.js";
import { classify, classifyReport, classOf } from "./classify.js";
import { commitmentJson } from "./commitment.js";
import { type ExecuteDeps, executeWorkload, loadJobRecord, loadTrace, pruneTraces, runOptionsOf } from "./execute.js";
import { workloadId } from "./workload.js";

const wc = new Uint8Array(readFileSync(new URL("../runtime/fixtures/wc.wasm", import.meta.url)));
const text = new TextEncoder().encode("the quick brown fox\njumps over\nthe lazy dog\n");
const ALICE = "nusa1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5a3kz5v";

function store(): ExecuteDeps & { objects: Map<string, Uint8Array> } {
  const objects = new Map<string, Uint8Array>([
    [cidForBytes(wc), wc],
    [cidForBytes(text), text],
  ]);
  return {
    objects,
    fetchObject: async (cid) => {
      const b = objects.get(cid);
      if (!b) throw new Error(`no ${cid}`);
      return b;
    },
    storeObject: async (b) => {
      const cid = cidForBytes(b);
      objects.set(cid, b);
      return cid;
    },
    traceDir: mkdtempSync(join(tmpdir(), "dsdn-trace-")),
    keepTraceMs: 4 * 3600_000,
    nowMs: () => 1_000_000,
  };
}

const spec = (over: Partial<WorkloadSpec> = {}) =>
  WorkloadSpec.fromPartial({
    version: 1,
    chainId: "nusantara-local",
    submitter: ALICE,
    moduleCid: cidForBytes(wc),
    inputCid: cidForBytes(text),
    workloadType: "batch",
    fuel: 10_000_000n,
    memoryPages: 16,
    traceEvery: 1024n,
    timeoutSeconds: 60,
    replicas: 1,
    agreement: "majority",
    nodeClass: "regular",
    moduleSize: BigInt(wc.length),
    inputSize: BigInt(text.length),
    moduleHash: Buffer.from(sha256(wc)),
    inputHash: Buffer.from(sha256(text)),
    ...over,
  });

describe("classification (dry run on the V8 fast path)", () => {
  it("measures the real run: fuel and cycles are the interpreter's, class tiny, price at the chain's rate", async () => {
    const c = await classify(wc, text);
    const ref = runModule(wc, { invoke: "_start", input: text });
    if (!ref.ok) throw new Error("fixture refused");
    expect(c.fuelUsed).toBe(ref.report.fuelUsed);
    expect(c.cycles).toBe(ref.report.usage.compute_cycles);
    expect(c.outputBytes).toBe(ref.report.output.length);
    expect(c.class).toBe("tiny");
    expect(c.capped).toBe(false);
    expect(c.priceNanoUsdPerReplica).toBe(((BigInt(c.cycles) * 50n * 1000n) / 1_000_000n).toString()); // $50 per 10^12 cycles
  });

  it("a run that hits the fuel cap is classed large, flagged as a lower bound", async () => {
    const c = await classify(wc, text, { fuelCap: 200 });
    expect(c).toMatchObject({ capped: true, class: "large", fuelUsed: "200" });
  });

  it("a module that does not validate names the entry field", async () => {
    await expect(classify(new Uint8Array([0, 97, 115, 109, 9, 9]), text)).rejects.toMatchObject({
      meta: { field: "entry" },
    });
  });

  it("a trap other than fuel is an error, not a class", () => {
    const ref = runModule(wc, { invoke: "_start", input: text });
    if (!ref.ok) throw new Error("fixture refused");
    expect(() => classifyReport({ ...ref.report, trap: "integer divide by zero" }, 1e9)).toThrow(/traps in a dry run/);
  });

  it("class thresholds", () => {
    expect(classOf(10_000_000n, 16 << 20)).toBe("tiny");
    expect(classOf(10_000_001n, 1)).toBe("small");
    expect(classOf(1n, (64 << 20) + 1)).toBe("medium");
    expect(classOf(10n ** 12n, 1)).toBe("large");
  });
});

describe("execution on a node", () => {
  it("runs the workload, stores the output by CID, and commits to the real run's fields", async () => {
    const d = store();
    const s = spec();
    const r = await executeWorkload(s, d);
    if (r.state !== "completed") throw new Error(r.reason);
    const out = d.objects.get(r.outputCid)!;
    expect(new TextDecoder().decode(out)).toBe(`3 9 ${text.length}\n`);
    // An independent traced run with the same options gives the same commitment fields.
    const ref = runModule(wc, runOptionsOf(s, text));
    if (!ref.ok) throw new Error("refused");
    const j = commitmentJson(r.commitment);
    expect(j).toEqual({
      workloadId: toHex(workloadId(s)),
      inputHash: toHex(sha256(text)),
      outputHash: ref.report.outputHash,
      stateRootBefore: ref.report.stateRootBefore,
      stateRootAfter: ref.report.stateRootAfter,
      executionTraceMerkleRoot: ref.report.traceRoot,
      steps: String(ref.report.steps),
      traceEvery: "1024",
      outputSize: String(out.length),
      moduleHash: toHex(sha256(wc)),
      // The limits the run started under: the signed spec's (step 0 holds them; the chain pins it from these).
      fuelLimit: s.fuel.toString(),
      memoryPages: String(s.memoryPages),
      executionKind: "traced_wasm",
    });
    expect(executionCommitmentProblem(r.commitment, workloadId(s), ReceiptKind.RECEIPT_KIND_COMPUTE)).toBeUndefined();
    expect(r.cycles).toBe(BigInt(ref.report.usage.compute_cycles));
    // Checkpoints and the defender's job record kept on disk for the window, and dropped after it.
    const t = loadTrace(r.tracePath);
    expect(t.every).toBe(1024);
    expect(t.checkpoints.map((c) => toHex(c.hash))).toEqual(ref.report.trace!.checkpoints.map((c) => toHex(c.hash)));
    expect(pruneTraces(d.traceDir, t.keepUntilMs - 1)).toBe(0);
    expect(pruneTraces(d.traceDir, t.keepUntilMs)).toBe(2);
    expect(readdirSync(d.traceDir)).toEqual([]);
  });

  it("the same workload run twice gives the same commitment", async () => {
    const a = await executeWorkload(spec(), store());
    const b = await executeWorkload(spec(), store());
    if (a.state !== "completed" || b.state !== "completed") throw new Error("failed");
    expect(commitmentJson(a.commitment)).toEqual(commitmentJson(b.commitment));
  });

  it("refuses bytes that do not match the CID (a lying object store) and a wrong size", async () => {
    const d = store();
    const evil = { ...d, fetchObject: async () => new Uint8Array(wc).fill(0, 20, 30) };
    await expect(executeWorkload(spec(), evil)).rejects.toThrow(/do not match the signed hash/);
    await expect(executeWorkload(spec({ moduleSize: BigInt(wc.length - 1) }), d)).rejects.toThrow(/do not match/);
  });

  it("out of fuel is a failed job with the reason, and no output is stored", async () => {
    const d = store();
    const r = await executeWorkload(spec({ fuel: 300n }), d);
    expect(r).toMatchObject({ state: "failed", reason: "trapped: out of fuel" });
    expect(d.objects.size).toBe(2);
  });
});

describe("test-only faults and the defender's job record", () => {
  it("each fault reports a commitment that differs from the honest run's where it says, and keeps the job for the defender", async () => {
    const honest = await executeWorkload(spec(), store());
    if (honest.state !== "completed") throw new Error(honest.reason);
    const hc = honest.commitment;
    const rec = loadJobRecord(store().traceDir, toHex(hc.executionTraceMerkleRoot));
    expect(rec).toBeUndefined(); // another node's folder has nothing
    const runWith = async (fault: Fault) => {
      const d = { ...store(), fault };
      const r = await executeWorkload(spec(), d);
      if (r.state !== "completed") throw new Error(r.reason);
      const kept = loadJobRecord(d.traceDir, toHex(r.commitment.executionTraceMerkleRoot));
      expect(kept?.fault).toBe(faultText(fault));
      expect(WorkloadSpec.encode(kept!.spec).finish()).toEqual(WorkloadSpec.encode(spec()).finish());
      expect(executionCommitmentProblem(r.commitment, r.commitment.workloadId, ReceiptKind.RECEIPT_KIND_COMPUTE)).toBe(
        undefined,
      );
      return r.commitment;
    };
    const wo = await runWith({ kind: "wrong-output" });
    expect(wo.outputHash).not.toEqual(hc.outputHash);
    expect(wo.executionTraceMerkleRoot).toEqual(hc.executionTraceMerkleRoot); // the trace is honest, the output not
    // A flipped value that is dropped before the next checkpoint changes no checkpoint: take the first that does.
    const rootAfterFlip = (n: number) =>
      Buffer.from(new Replay({ module: wc, opts: runOptionsOf(spec(), text), tamperAt: n }).summary().root);
    let n = 200;
    while (rootAfterFlip(n).equals(hc.executionTraceMerkleRoot)) n++;
    const ws = await runWith({ kind: "wrong-step", step: n });
    expect(ws.executionTraceMerkleRoot).toEqual(rootAfterFlip(n));
    expect(ws.executionTraceMerkleRoot).not.toEqual(hc.executionTraceMerkleRoot);
    // wrong-trace@N: an honest run and output, a trace root over a made-up checkpoint N (only the root differs).
    const wt = await runWith({ kind: "wrong-trace", checkpoint: 2 });
    expect([wt.outputHash, wt.stateRootAfter, wt.steps]).toEqual([hc.outputHash, hc.stateRootAfter, hc.steps]);
    expect(wt.executionTraceMerkleRoot).not.toEqual(hc.executionTraceMerkleRoot);
    expect(wt.executionTraceMerkleRoot).toEqual(
      Buffer.from(new Replay({ module: wc, opts: runOptionsOf(spec(), text), fakeCheckpoint: 2 }).summary().root),
    );
    const se = await runWith({ kind: "skip-execution" });
    expect(se.executionTraceMerkleRoot).not.toEqual(hc.executionTraceMerkleRoot);
    expect(se.outputHash).not.toEqual(hc.outputHash);
  });
});
