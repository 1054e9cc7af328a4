/**
 * @module `dsdn-node compute receipt <job-id>`: the node asks a committee member for the COMPUTE receipt of a job it
 * ran (evidence: its own signed result and the user-signed workload, from the coordinator's DA-backed index),
 * countersigns it with its node key and writes the receipt file `dsdnd tx receipt claim` takes.
 */
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { nodeSignReceipt, writeReceiptFile } from "../../clients/sdk/receipts.js";
import { type Command, type CommandGroup, toJson } from "../../common/cli.js";
import { BaseError, ErrorCode, InvalidArgumentError } from "../../common/errors.js";
import { bytesEqual, toHex } from "../../common/hash.js";
import { decodeReceiptData, decodeThresholdReceipt } from "../../common/receipts/receiptBytes.js";
import { openResult } from "../compute/signed.js";
import { requestReceipt } from "../coordinator/receipts/server.js";
import { loadOrCreateIdentity } from "../storage/identity.js";

const receipt: Command = {
  summary: "Ask the committee for the compute receipt of a job this node ran; write the receipt file",
  usage: "<job-id> --data DIR --coordinator URL --committee URL [--receipts-dir DIR] [--json]",
  options: {
    data: { type: "string" },
    coordinator: { type: "string" },
    committee: { type: "string" },
    "receipts-dir": { type: "string" },
    json: { type: "boolean", default: false },
  },
  async run({ positionals, values, out }) {
    const job = positionals[0];
    if (!job || !/^[0-9a-f]{64}$/.test(job)) throw new InvalidArgumentError("give the job id (64 hex digits)");
    for (const f of ["data", "coordinator", "committee"])
      if (typeof values[f] !== "string") throw new InvalidArgumentError(`--${f} is required`);
    const dataDir = resolve(String(values.data));
    const identity = await loadOrCreateIdentity(dataDir);
    const res = await fetch(`${values.coordinator}/workloads/${job}/evidence/${identity.nodeId}`, {
      signal: AbortSignal.timeout(30_000),
    });
    const ev = (await res.json()) as { result?: string; submission?: string; error?: { message: string } };
    if (!res.ok || !ev.result || !ev.submission)
      throw new BaseError(ErrorCode.NotFound, ev.error?.message ?? `no evidence for ${job} (HTTP ${res.status})`);
    const result = Buffer.from(ev.result, "base64");
    // The coordinator is untrusted: the result must be this node's own signed one.
    if (!bytesEqual(openResult(result).nodeId, identity.publicKey))
      throw new BaseError(ErrorCode.Integrity, "the coordinator returned another node's result");
    const answer = await requestReceipt(String(values.committee), new Uint8Array(0), 90_000, {
      result,
      submission: Buffer.from(ev.submission, "base64"),
    });
    const tr = decodeThresholdReceipt(answer.thresholdReceipt);
    const d = decodeReceiptData(tr.receiptData);
    if (!bytesEqual(d.nodeId, identity.publicKey))
      throw new BaseError(ErrorCode.Integrity, "the committee returned another node's receipt");
    const dir = resolve(
      typeof values["receipts-dir"] === "string" ? values["receipts-dir"] : join(dataDir, "receipts"),
    );
    await mkdir(dir, { recursive: true });
    const receiptId = toHex(answer.receiptId);
    const file = join(dir, `${receiptId}.json`);
    await writeReceiptFile(file, tr, nodeSignReceipt(tr, identity.secretKey));
    const summary = {
      receiptId,
      file,
      reward: d.reward,
      executionTraceMerkleRoot: toHex(d.executionCommitment!.executionTraceMerkleRoot),
      timestamp: d.timestamp.toString(),
    };
    out(values.json ? toJson(summary) : `compute receipt ${receiptId} → ${file} (reward ${d.reward} unusa)`);
    return 0;
  },
};

export const computeCommand: CommandGroup = {
  summary: "Compute on this node: committee receipts for jobs it ran",
  commands: { receipt: async () => receipt },
};
