/** @module Where a file's objects live, from the coordinator (DA state): replica URLs healthiest first, and each object's holders. */
import { CoordinatorClient } from "../../node-agent/coordinator/client.js";
import type { AuditSink } from "../../node-agent/http/disclosedClient.js";

/**
 * The network path: every replica the coordinator reports for the file's objects, healthiest first, and
 * which of them hold each object (so each chunk or shard is asked of its own holders first). `audit` (--verbose)
 * receives the level-3 audit of the coordinator's answer.
 */
export async function replicaUrls(
  coordinator: string,
  cid: string,
  audit?: AuditSink,
): Promise<{ urls: string[]; holders: Map<string, string[]> }> {
  const status = await new CoordinatorClient(coordinator, { ...(audit ? { audit } : {}) }).status(cid);
  const urls = new Map<string, number>();
  const holders = new Map<string, string[]>();
  for (const c of status.chunks) {
    for (const r of c.replicas) if (r.endpoint) urls.set(r.endpoint, (urls.get(r.endpoint) ?? 0) + (r.healthy ? 1 : 0));
    holders.set(
      c.cid,
      [...c.replicas]
        .sort((a, b) => Number(b.healthy) - Number(a.healthy))
        .flatMap((r) => (r.endpoint ? [r.endpoint] : [])),
    );
  }
  return { urls: [...urls.entries()].sort((a, b) => b[1] - a[1]).map(([u]) => u), holders };
}
