/**
 * @module Redundant execution: which commitment the replicas agree on (majority or unanimous), and who disagreed.
 * Pure; commitments compare by the sha256 of their canonical encoding.
 */
import { sha256, toHex } from "../../common/hash.js";
import { ExecutionCommitment } from "../../proto/gen/dsdn/receipts/v1/receipts.js";

export interface ReplicaReport {
  readonly nodeId: string;
  /** undefined: the run failed on that node. */
  readonly commitment?: ExecutionCommitment;
}

export interface Agreement {
  /** Hash (hex) of the agreed commitment; undefined when no commitment reached the required count. */
  readonly agreed?: string;
  readonly agreeing: readonly string[];
  readonly dissenting: readonly string[];
  /** Each node's commitment hash ("" for a failed run), in report order. */
  readonly hashes: readonly { nodeId: string; hash: string }[];
}

export function commitmentHash(ec: ExecutionCommitment): string {
  return toHex(sha256(ExecutionCommitment.encode(ec).finish()));
}

/**
 * `replicas` is the number the spec asked for: majority needs more than half of them, unanimous all of them.
 * Decided only once every replica reported, or once a majority is certain.
 */
export function decideAgreement(
  reports: readonly ReplicaReport[],
  replicas: number,
  rule: "majority" | "unanimous",
): Agreement {
  const hashes = reports.map((r) => ({ nodeId: r.nodeId, hash: r.commitment ? commitmentHash(r.commitment) : "" }));
  const counts = new Map<string, number>();
  for (const h of hashes) if (h.hash) counts.set(h.hash, (counts.get(h.hash) ?? 0) + 1);
  const need = rule === "unanimous" ? replicas : Math.floor(replicas / 2) + 1;
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
  const agreed = best && best[1] >= need ? best[0] : undefined;
  return {
    agreed,
    agreeing: agreed ? hashes.filter((h) => h.hash === agreed).map((h) => h.nodeId) : [],
    dissenting: agreed ? hashes.filter((h) => h.hash !== agreed).map((h) => h.nodeId) : hashes.map((h) => h.nodeId),
    hashes,
  };
}
