/** @module `dsdnd query oracle|subsidy|economics …`: the NUSA/USD price, node subsidy eligibility, shadow-mode economics. */

import { QueryClient } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import type { Command, CommandGroup } from "../../../common/cli.js";
import { outputOption, toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { parseUsd } from "../../../common/priceFile.js";
import { PeriodRecord } from "../../../proto/gen/dsdn/economics/v1/economics.js";
import { QueryMissCountersResponse, QueryPriceResponse } from "../../../proto/gen/dsdn/oracle/v1/query.js";
import { NodeSubsidy } from "../../../proto/gen/dsdn/subsidy/v1/query.js";
import { type EconomyExtension, setupEconomyExtension } from "../../sdk/economy.js";
import { nodeOption } from "../home.js";

const opts = { ...nodeOption, ...outputOption };

async function withEconomy<T>(values: Record<string, unknown>, fn: (q: EconomyExtension) => Promise<T>): Promise<T> {
  const comet = await connectComet(String(values.node));
  try {
    return await fn(QueryClient.withExtensions(comet, setupEconomyExtension));
  } finally {
    comet.disconnect();
  }
}

const price: Command = {
  summary: "the accepted NUSA/USD price (stake-weighted median), 1 USD in unusa, window and staleness",
  usage: "[--usd AMOUNT] [--node URL] [-o json]",
  options: { ...opts, usd: { type: "string" } },
  run: ({ values, out }) =>
    withEconomy(values, async (q) => {
      const p = await q.oracle.price();
      const conv = values.usd ? await q.oracle.convertUsd(parseUsd(String(values.usd))) : undefined;
      const json = {
        ...(QueryPriceResponse.toJSON(p) as object),
        ...(conv ? { usd: String(values.usd), unusa: conv.unusa } : {}),
      };
      if (values.output === "json") out(toJson(json));
      else
        out(
          [
            `price: ${p.priceUsd} USD/NUSA${p.stale ? " (STALE: last good price)" : ""}`,
            `1 USD = ${p.unusaPerUsd} unusa (effective price ${p.effectivePriceNanoUsd} nano-USD)`,
            `updated at: ${p.updatedAt}  window: ${p.windowStart} + ${p.windowSeconds}s  reporters: ${p.reportersInWindow}`,
            ...(conv ? [`${String(values.usd)} USD = ${conv.unusa} unusa`] : []),
          ].join("\n"),
        );
      return 0;
    }),
};

const misses: Command = {
  summary: "each validator's windows and missed price reports in the open slash window (the miss penalty)",
  usage: "[--node URL] [-o json]",
  options: opts,
  run: ({ values, out }) =>
    withEconomy(values, async (q) => {
      const m = await q.oracle.missCounters();
      if (values.output === "json") out(toJson(QueryMissCountersResponse.toJSON(m)));
      else
        out(
          [
            `slash window from ${m.slashWindowStart} for ${m.slashWindowSeconds}s; valid share needed ${m.minValidPerWindowPpm} ppm`,
            ...m.counters.map((c) => `${c.validator}  windows ${c.windows}  misses ${c.misses}`),
          ].join("\n"),
        );
      return 0;
    }),
};

const node: Command = {
  summary: "a node operator's subsidy: this month's eligibility and why, and the last settled month",
  usage: "<operator-address> [--node URL] [-o json]",
  options: opts,
  run: ({ positionals, values, out }) =>
    withEconomy(values, async (q) => {
      const op = positionals[0];
      if (!op) throw new InvalidArgumentError("missing <operator-address>");
      const r = await q.subsidy.node(op);
      const show = (s: NodeSubsidy | undefined) =>
        s
          ? `month ${s.month}: ${s.eligible ? `eligible, ${s.amount} unusa${s.reason ? ` (${s.reason})` : ""}` : `not eligible: ${s.reason}`}; organic income ${s.organic || "0"} unusa`
          : "(none)";
      if (values.output === "json")
        out(
          toJson({
            current: r.current && NodeSubsidy.toJSON(r.current),
            lastPaid: r.lastPaid && NodeSubsidy.toJSON(r.lastPaid),
          }),
        );
      else out(`current ${show(r.current)}\nlast settled ${show(r.lastPaid)}`);
      return 0;
    }),
};

const status: Command = {
  summary: "the subsidy schedule's month, share, pool balance and sunset",
  usage: "[--node URL] [-o json]",
  options: opts,
  run: ({ values, out }) =>
    withEconomy(values, async (q) => {
      const s = await q.subsidy.status();
      out(toJson({ ...s, month: s.month.toString(), lastSettledMonth: s.lastSettledMonth.toString() }));
      return 0;
    }),
};

const shadow: Command = {
  summary: "the last period's Node Cost Index, adaptive fee and burn, and whether they apply (shadow mode)",
  usage: "[--node URL] [-o json]",
  options: opts,
  run: ({ values, out }) =>
    withEconomy(values, async (q) => {
      const s = await q.economics.shadow();
      out(toJson({ applyEnabled: s.applyEnabled, last: s.last ? PeriodRecord.toJSON(s.last) : null }));
      return 0;
    }),
};

export const oracleQuery: CommandGroup = {
  summary: "oracle queries",
  commands: { price: async () => price, misses: async () => misses },
};
export const subsidyQuery: CommandGroup = {
  summary: "subsidy queries",
  commands: { node: async () => node, status: async () => status },
};
export const economicsQuery: CommandGroup = { summary: "economics queries", commands: { shadow: async () => shadow } };
