/**
 * A MicroVM workload on a node: the image tar fetched by CID and checked, unpacked, the command run with the input on
 * stdin (mock backend always; bwrap where this machine has it), output stored by CID, a MicroVM-kind commitment; a
 * memory hog is killed with a clear failed state; a tampered image is refused.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cidForBytes } from "../../common/cid.js";
import { sha256 } from "../../common/hash.js";
import { WorkloadSpec } from "../../proto/gen/dsdn/compute/v1/workload.js";
import { ExecutionKind } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { bwrapAvailable } from "../runtime/microvm/bwrapVM.js";
import { createMicroVM } from "../runtime/microvm/createMicroVM.js";
import { commitmentJson } from "./commitment.js";
import type { ExecuteDeps } from "./execute.js";
import { executeMicroVMWorkload, MICROVM_CYCLES_PER_MS } from "./executeMicroVM.js";

// A small image made with the system tar: a script that counts its stdin and a data file.
const dir = mkdtempSync(join(tmpdir(), "dsdn-img-src-"));
writeFileSync(join(dir, "count.sh"), "#!/bin/sh\nprintf 'bytes: '\nwc -c\necho counted >&2\n", { mode: 0o755 });
writeFileSync(join(dir, "hog.py"), "b = bytearray(512 * 1024 * 1024)\nprint('survived')\n");
const image = new Uint8Array(execFileSync("tar", ["--format=ustar", "-C", dir, "-cf", "-", "count.sh", "hog.py"]));
const input = new TextEncoder().encode("hello microvm\n");

function store(
  objects = new Map([
    [cidForBytes(image), image],
    [cidForBytes(input), input],
  ]),
): ExecuteDeps & {
  objects: Map<string, Uint8Array>;
} {
  return {
    objects,
    fetchObject: async (cid) => objects.get(cid) ?? Promise.reject(new Error(`no ${cid}`)),
    storeObject: async (b) => {
      objects.set(cidForBytes(new Uint8Array(b)), new Uint8Array(b));
      return cidForBytes(new Uint8Array(b));
    },
    traceDir: mkdtempSync(join(tmpdir(), "dsdn-trace-")),
    keepTraceMs: 1000,
  };
}
const spec = (command: string[], memoryPages = 1024) =>
  WorkloadSpec.fromPartial({
    version: 1,
    workloadType: "batch",
    runtime: "microvm",
    command,
    moduleCid: cidForBytes(image),
    moduleSize: BigInt(image.length),
    moduleHash: Buffer.from(sha256(image)),
    inputCid: cidForBytes(input),
    inputSize: BigInt(input.length),
    inputHash: Buffer.from(sha256(input)),
    memoryPages,
    timeoutSeconds: 30,
    replicas: 2,
  });

const backends = typeof bwrapAvailable() === "string" ? (["mock"] as const) : (["mock", "bwrap"] as const);

describe.each(backends)("a MicroVM workload on the %s backend", (backend) => {
  it("runs the command over the image with the input on stdin; output stored by CID; non-provable commitment", async () => {
    const d = store();
    const r = await executeMicroVMWorkload(spec(["/bin/sh", "./count.sh"]), d, (l) => createMicroVM(backend, l));
    expect(r.state, r.state === "failed" ? r.reason : "").toBe("completed");
    if (r.state !== "completed") return;
    const out = d.objects.get(r.outputCid)!;
    expect(Buffer.from(out).toString()).toBe(`bytes: ${input.length}\n`);
    expect(r.logs).toContain("counted"); // bwrap may add its own line
    expect(r.commitment.executionKind).toBe(ExecutionKind.EXECUTION_KIND_MICROVM_REDUNDANT);
    expect(r.commitment.executionTraceMerkleRoot.length).toBe(0);
    expect(commitmentJson(r.commitment)).toMatchObject({ executionKind: "microvm_redundant", steps: "0" });
    // Wall-clock ms at the nominal rate: a whole number of ms, at least one (a reward of ≥ 1 at any price).
    expect(r.cycles % MICROVM_CYCLES_PER_MS).toBe(0n);
    expect(r.cycles).toBeGreaterThanOrEqual(MICROVM_CYCLES_PER_MS);
    expect(Buffer.from(r.commitment.outputHash)).toEqual(Buffer.from(sha256(out)));
    // Two replicas of the same spec agree on the commitment.
    const again = await executeMicroVMWorkload(spec(["/bin/sh", "./count.sh"]), store(), (l) =>
      createMicroVM(backend, l),
    );
    expect(again.state === "completed" && again.commitment).toEqual(r.commitment);
  });

  it("refuses an image whose bytes do not match the signed hash", async () => {
    const bad = new Uint8Array(image);
    bad[600] ^= 1;
    const d = store(
      new Map([
        [cidForBytes(image), bad],
        [cidForBytes(input), input],
      ]),
    );
    await expect(executeMicroVMWorkload(spec(["/bin/true"]), d, (l) => createMicroVM(backend, l))).rejects.toThrow(
      /do not match the signed hash/,
    );
  });
});

describe.runIf(backends.includes("bwrap" as never))("MicroVM limits from the spec (bwrap)", () => {
  it("kills a memory hog at the spec's memory and reports a clear failed state", async () => {
    const r = await executeMicroVMWorkload(spec(["/usr/bin/python3", "./hog.py"], 1024), store(), (l) =>
      createMicroVM("bwrap", l),
    );
    expect(r.state).toBe("failed");
    expect(r.state === "failed" && r.reason).toMatch(/killed at the memory limit \(MicroVM bwrap\)/);
  });
});
