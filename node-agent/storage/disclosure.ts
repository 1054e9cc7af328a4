/** @module The storage node's level-0 sentences for progressive disclosure (chunk bytes themselves are never wrapped). */
import type { DisclosureOptions } from "../http/disclosure.js";

export function storageDisclosure(nodeId: string): DisclosureOptions {
  return {
    service: "storage node",
    audit: () => ({ nodeId }),
    describe: {
      "GET /health": (b) => ({
        summary: `Storage node ${String(b.nodeId).slice(0, 12)}… is ${String(b.status)}: ${String(b.chunks)} chunks, ${b.acceptingWrites ? "accepting writes" : "not accepting writes"}.`,
        keyFacts: ["status", "zone", "chunks", "bytes", "acceptingWrites"],
      }),
      "PUT /chunks/:cid": (b) => ({
        summary: `Chunk ${String(b.cid)} is ${b.created ? "stored" : "already present"} and acknowledged by this node.`,
        keyFacts: ["cid", "size", "created"],
      }),
    },
  };
}
