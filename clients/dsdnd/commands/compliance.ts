/**
 * @module `dsdnd query compliance …`: is a CID or ingress route blocked (who, why, how to appeal), and the
 * decision record. Blocks and unblocks are proposals: `dsdnd tx gov submit-proposal --block-cid …`.
 */
import { QueryClient } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import type { Command, CommandGroup } from "../../../common/cli.js";
import { outputOption, toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { Decision, type Pointer } from "../../../proto/gen/dsdn/compliance/v1/compliance.js";
import { QueryBlockedResponse } from "../../../proto/gen/dsdn/compliance/v1/query.js";
import { cidPointer, routePointer, setupComplianceExtension } from "../../sdk/compliance.js";
import { nodeOption } from "../home.js";

const qopts = { ...nodeOption, ...outputOption };

/** A route starts with "/"; anything else is read as a CID. */
const pointerOf = (text: string | undefined): Pointer => {
  if (!text) throw new InvalidArgumentError("give a CID or an ingress route (starting with /)");
  return text.startsWith("/") ? routePointer(text) : cidPointer(text);
};

async function withCompliance<T>(
  values: Record<string, unknown>,
  fn: (q: ReturnType<typeof setupComplianceExtension>["compliance"]) => Promise<T>,
): Promise<T> {
  const comet = await connectComet(String(values.node));
  try {
    return await fn(QueryClient.withExtensions(comet, setupComplianceExtension).compliance);
  } finally {
    comet.disconnect();
  }
}

const blocked: Command = {
  summary: "whether a CID or ingress route is blocked by governance, by which decision and why",
  usage: "<cid | /route> [--node URL] [-o json]",
  options: qopts,
  run: ({ positionals, values, out }) =>
    withCompliance(values, async (q) => {
      const r = QueryBlockedResponse.toJSON(await q.blocked(pointerOf(positionals[0]))) as Record<string, unknown>;
      out(toJson({ blocked: false, ...r }, values.output === "json" ? undefined : 2));
      return 0;
    }),
};

const decisions: Command = {
  summary: "the record of block/unblock decisions (optionally of one pointer), oldest first",
  usage: "[<cid | /route>] [--start-id N] [--limit N] [--node URL] [-o json]",
  options: { ...qopts, "start-id": { type: "string" }, limit: { type: "string" } },
  run: ({ positionals, values, out }) =>
    withCompliance(values, async (q) => {
      const start = values["start-id"] ? BigInt(String(values["start-id"])) : 0n;
      const limit = values.limit ? Number(values.limit) : 0;
      const r = await q.decisions(start, limit, positionals[0] ? pointerOf(positionals[0]) : undefined);
      const json = { decisions: r.decisions.map((d) => Decision.toJSON(d)), nextId: r.nextId.toString() };
      out(toJson(json, values.output === "json" ? undefined : 2));
      return 0;
    }),
};

export const complianceQuery: CommandGroup = {
  summary: "compliance queries (governance's blocked CIDs and ingress routes)",
  commands: { blocked: async () => blocked, decisions: async () => decisions },
};
