/** @module The dashboard API's level-0 sentences; a panel's own audit list (upstream reads, hashes) is its level-3 audit. */
import type { Describe, DisclosureOptions } from "../http/disclosure.js";

function panelSentence(name: string, p: Record<string, unknown>): string {
  if (p.status === "ok") return `${name}: up to date`;
  if (p.status === "unavailable") return `${name}: unavailable (${String(p.reason)})`;
  return `${name}: could not be read`;
}

function panelDescribe(name: string, p: Record<string, unknown>): Describe {
  return {
    summary: `${panelSentence(name, p)}.`,
    keyFacts: ["status"],
    ...(Array.isArray(p.audit) ? { audit: { [name]: p.audit } } : {}),
  };
}

export const dashboardDisclosure: DisclosureOptions = {
  service: "dashboard",
  describe: {
    "GET /api/v1/panels": (b) => {
      const panels = (b.panels ?? {}) as Record<string, Record<string, unknown>>;
      const names = Object.keys(panels);
      const okCount = names.filter((n) => panels[n]?.status === "ok").length;
      const audit = Object.fromEntries(
        names.filter((n) => Array.isArray(panels[n]?.audit)).map((n) => [n, panels[n]!.audit]),
      );
      return {
        summary: `${okCount} of ${names.length} dashboard panels are up to date.`,
        keyFacts: ["generatedAt", "sources"],
        audit,
      };
    },
    "GET /api/v1/panels/:name": (b, req) => panelDescribe((req.params as { name: string }).name, b),
  },
};
