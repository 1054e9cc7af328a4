/** @module The coordinator's level-0 sentences and key facts for progressive disclosure (every other route gets the generic ones). */
import type { Describer, DisclosureOptions } from "../http/disclosure.js";
import type { Coordinator } from "./coordinator.js";

const describe: Record<string, Describer> = {
  "GET /health": (b) => ({
    summary: `Coordinator is ${String(b.status)} at DA height ${String(b.daHeight)}.`,
    keyFacts: ["status", "daHeight", "outboxQueued"],
  }),
  "GET /nodes": (b) => {
    const nodes = Array.isArray(b.nodes) ? (b.nodes as { status?: string }[]) : [];
    const active = nodes.filter((n) => n.status === "active").length;
    return {
      summary: `${nodes.length} storage nodes known, ${active} active, as of DA height ${String(b.daHeight)}.`,
      keyFacts: ["daHeight"],
    };
  },
  "GET /status/:cid": (b) => {
    const chunks = Array.isArray(b.chunks) ? (b.chunks as { underReplicated?: boolean }[]) : [];
    const under = chunks.filter((c) => c.underReplicated).length;
    return {
      summary: `${b.manifest ? "File" : "Chunk"} ${String(b.cid)} has ${chunks.length} chunk(s)${under ? `, ${under} under-replicated` : ", all fully replicated"} (DA height ${String(b.daHeight)}).`,
      keyFacts: ["cid", "daHeight", "manifest"],
    };
  },
  "GET /placement/:cid": (b) => ({
    summary: `Chunk ${String(b.cid)} goes to ${Array.isArray(b.nodes) ? b.nodes.length : 0} node(s) (DA height ${String(b.daHeight)}).`,
  }),
};

/** Disclosure options for a coordinator: anchors come from replayed DA state only, so a restart answers the same. */
export function coordinatorDisclosure(c: Coordinator): DisclosureOptions {
  return {
    service: "coordinator",
    audit: () => ({ daHeight: c.follower.height.toString(), stateDigest: c.follower.digestHex() }),
    describe,
  };
}
