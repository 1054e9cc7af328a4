/** @module Storage challenges: ask a node for a chunk it is recorded as holding and check every byte against the CID. */
import { createHash } from "node:crypto";
import { parseCid } from "../../common/cid.js";
import { bytesEqual } from "../../common/hash.js";
import { fetchRetryingStale } from "../../common/net/staleSocket.js";

export interface ChallengeResult {
  readonly cid: string;
  /**
   * "passed": bytes match; "failed": wrong bytes or the node says it lacks it (404/422); "unreachable": no
   * answer, a timeout, a slow or broken body, or a 5xx — a network fault, not evidence about the data.
   */
  readonly outcome: "passed" | "failed" | "unreachable";
  readonly reason: string;
  /** The node answered with bytes that do not match the CID: proof of a fault, not just a missing file. */
  readonly wrongBytes?: boolean;
}

/**
 * Whole-chunk challenge: GET the chunk (an ordinary read, indistinguishable from user traffic) and hash it
 * as it streams. The CID commits to every byte, so a node that claims a chunk it does not hold — or holds
 * a damaged copy — cannot pass. Costs one chunk read; the coordinator rate-limits challenges.
 */
export async function challengeReplica(
  endpoint: string,
  cid: string,
  size: number,
  timeoutMs = 30_000,
): Promise<ChallengeResult> {
  const expected = parseCid(cid).digest;
  let res: Response;
  try {
    // A stale kept-alive socket is our connection's fault, not the node's: one resend before judging it.
    res = await fetchRetryingStale(new URL(`/chunks/${cid}`, endpoint), () => ({
      signal: AbortSignal.timeout(timeoutMs),
    }));
  } catch (e) {
    return { cid, outcome: "unreachable", reason: (e as Error).message };
  }
  if (res.status === 404 || res.status === 422) {
    await res.body?.cancel();
    return { cid, outcome: "failed", reason: `node answered HTTP ${res.status} for a chunk it is recorded as holding` };
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    return { cid, outcome: "unreachable", reason: `HTTP ${res.status}` };
  }
  const h = createHash("sha256");
  let n = 0;
  try {
    for await (const piece of res.body as unknown as AsyncIterable<Uint8Array>) {
      n += piece.length;
      if (n > size) break;
      h.update(piece);
    }
  } catch (e) {
    return { cid, outcome: "unreachable", reason: `stream broke after ${n} bytes: ${(e as Error).message}` };
  }
  if (n < size) return { cid, outcome: "unreachable", reason: `body ended after ${n} of ${size} bytes` };
  if (n !== size || !bytesEqual(h.digest(), expected))
    return { cid, outcome: "failed", reason: `served ${n} bytes that do not hash to the CID`, wrongBytes: true };
  return { cid, outcome: "passed", reason: "bytes match the CID" };
}
