/** @module `dsdnd query …`: read chain state through CosmJS; modules add subgroups. */

import type { Command, CommandGroup } from "../../../common/cli.js";
import { outputOption, toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { connectClient } from "../../sdk/client.js";
import { nodeOption } from "../home.js";

const opts = { ...nodeOption, ...outputOption };

const balances: Command = {
  summary: "all balances of an address",
  usage: "<address> [--node URL] [-o json]",
  options: opts,
  async run({ positionals, values, out }) {
    const address = positionals[0];
    if (!address) throw new InvalidArgumentError("missing <address>");
    const client = await connectClient(String(values.node));
    try {
      const balances = await client.getAllBalances(address);
      if (values.output === "json") out(toJson({ balances }));
      else out(balances.length ? balances.map((c) => `${c.amount}${c.denom}`).join("\n") : "(no balances)");
      return 0;
    } finally {
      client.disconnect();
    }
  },
};

const account: Command = {
  summary: "account number, sequence and public key of an address",
  usage: "<address> [--node URL] [-o json]",
  options: opts,
  async run({ positionals, values, out, err }) {
    const address = positionals[0];
    if (!address) throw new InvalidArgumentError("missing <address>");
    const client = await connectClient(String(values.node));
    try {
      const acc = await client.getAccount(address);
      if (!acc) {
        err(`account ${address} not found`);
        return 1;
      }
      if (values.output === "json") out(toJson(acc));
      else
        out(
          `address: ${acc.address}\naccount_number: ${acc.accountNumber}\nsequence: ${acc.sequence}\npubkey: ${acc.pubkey ? acc.pubkey.value : "(none yet)"}`,
        );
      return 0;
    } finally {
      client.disconnect();
    }
  },
};

export const query: CommandGroup = {
  summary: "query chain state",
  commands: {
    bank: async () => ({ summary: "bank queries", commands: { balances: async () => balances } }),
    auth: async () => ({ summary: "auth queries", commands: { account: async () => account } }),
    stake: async () => (await import("./stake.js")).stakeQuery,
    nodes: async () => (await import("./nodes.js")).nodesQuery,
    slashing: async () => (await import("./slashing.js")).slashingQuery,
    committee: async () => (await import("./committee.js")).committeeQuery,
    receipts: async () => (await import("./receipt.js")).receiptsQuery,
    fraud: async () => (await import("./fraud.js")).fraudQuery,
    gov: async () => (await import("./gov.js")).govQuery,
    distribution: async () => (await import("./distribution.js")).distributionQuery,
    oracle: async () => (await import("./economy.js")).oracleQuery,
    subsidy: async () => (await import("./economy.js")).subsidyQuery,
    economics: async () => (await import("./economy.js")).economicsQuery,
    compliance: async () => (await import("./compliance.js")).complianceQuery,
  },
};
