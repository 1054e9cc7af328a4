import { describe, expect, it } from "vitest";
import { ExecutionKind, ReceiptKind } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { executionCommitmentProblem, storageCommitment } from "./receiptBytes.js";

const W = Buffer.alloc(32, 0xaa);
const compute = (over: Record<string, unknown> = {}) => ({
  workloadId: W,
  inputHash: Buffer.alloc(32, 1),
  outputHash: Buffer.alloc(32, 2),
  stateRootBefore: Buffer.alloc(32, 3),
  stateRootAfter: Buffer.alloc(32, 4),
  executionTraceMerkleRoot: Buffer.alloc(32, 5),
  steps: 10n,
  traceEvery: 4n,
  outputSize: 9n,
  moduleHash: Buffer.alloc(32, 6),
  executionKind: ExecutionKind.EXECUTION_KIND_TRACED_WASM as ExecutionKind,
  fuelLimit: 1_000_000n,
  memoryPages: 16,
  ...over,
});
const C = ReceiptKind.RECEIPT_KIND_COMPUTE;

describe("execution commitment well-formedness", () => {
  it("a job that keeps no key-value state has the empty state's zero roots: well formed", () => {
    expect(executionCommitmentProblem(compute(), W, C)).toBeUndefined();
    expect(
      executionCommitmentProblem(
        compute({ stateRootBefore: Buffer.alloc(32), stateRootAfter: Buffer.alloc(32) }),
        W,
        C,
      ),
    ).toBeUndefined();
  });

  it.each(["inputHash", "outputHash", "executionTraceMerkleRoot", "moduleHash"])(
    "a compute commitment with a zero %s is refused",
    (field) => {
      expect(executionCommitmentProblem(compute({ [field]: Buffer.alloc(32) }), W, C)).toMatch(/zero hash/);
    },
  );

  it("short fields, another workload, and a storage commitment with hashes are refused", () => {
    expect(executionCommitmentProblem(compute({ outputHash: Buffer.alloc(31, 1) }), W, C)).toMatch(/32 bytes/);
    expect(executionCommitmentProblem(compute({ moduleHash: Buffer.alloc(3, 1) }), W, C)).toMatch(
      /module_hash must be 32 bytes/,
    );
    expect(executionCommitmentProblem(compute(), Buffer.alloc(32, 1), C)).toMatch(/workload_id differs/);
    expect(executionCommitmentProblem(compute(), W, ReceiptKind.RECEIPT_KIND_STORAGE)).toMatch(/zero hashes/);
    expect(executionCommitmentProblem(storageCommitment(W), W, ReceiptKind.RECEIPT_KIND_STORAGE)).toBeUndefined();
  });

  it("a traced compute commitment states the limits its run started under (what step 0 holds); others state none", () => {
    expect(executionCommitmentProblem(compute({ fuelLimit: 0n }), W, C)).toMatch(/fuel_limit/);
    expect(executionCommitmentProblem(compute({ fuelLimit: 10n ** 15n + 1n }), W, C)).toMatch(/fuel_limit/);
    expect(executionCommitmentProblem(compute({ memoryPages: 0 }), W, C)).toMatch(/memory_pages/);
    expect(executionCommitmentProblem(compute({ memoryPages: 65_537 }), W, C)).toMatch(/memory_pages/);
    expect(
      executionCommitmentProblem({ ...storageCommitment(W), fuelLimit: 1n }, W, ReceiptKind.RECEIPT_KIND_STORAGE),
    ).toMatch(/no fuel_limit/);
  });
});
