/** @module `dsdnd tx distribution withdraw-rewards` and `dsdnd query distribution rewards`: validators' fee rewards. */

import { QueryClient, setupDistributionExtension } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { MsgWithdrawDelegatorReward } from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import type { Command, CommandGroup } from "../../../common/cli.js";
import { outputOption, toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { fromBech32Address, toBech32Address } from "../../../common/secp256k1.js";
import { nodeOption } from "../home.js";
import { broadcast } from "./stake.js";
import { txOptions } from "./tx.js";

const DEC = 10n ** 18n;

const withdrawRewards: Command = {
  summary: "withdraw the signer's validator rewards (whole unusa; the fraction stays accrued)",
  usage: "<from> [--node URL]",
  options: txOptions,
  async run({ positionals, values, out }) {
    const from = positionals[0];
    if (!from) throw new InvalidArgumentError("usage: dsdnd tx distribution withdraw-rewards <from>");
    return broadcast(values, out, from, (signer) => [
      {
        typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward",
        value: MsgWithdrawDelegatorReward.fromPartial({
          delegatorAddress: signer,
          validatorAddress: toBech32Address(fromBech32Address(signer), "nusavaloper"),
        }),
      },
    ]);
  },
};

export const distributionTx: CommandGroup = {
  summary: "fee distribution transactions",
  commands: { "withdraw-rewards": async () => withdrawRewards },
};

const rewards: Command = {
  summary: "a validator operator's outstanding rewards (exact, in unusa with 18 decimals)",
  usage: "<address> [--node URL] [-o json]",
  options: { ...nodeOption, ...outputOption },
  async run({ positionals, values, out }) {
    const address = positionals[0];
    if (!address) throw new InvalidArgumentError("missing <address>");
    const comet = await connectComet(String(values.node));
    try {
      const q = QueryClient.withExtensions(comet, setupDistributionExtension);
      const r = await q.distribution.delegationTotalRewards(address);
      const total = r.total.map((c) => {
        const scaled = BigInt(c.amount);
        return {
          denom: c.denom,
          amount: `${scaled / DEC}.${(scaled % DEC).toString().padStart(18, "0")}`,
          withdrawable: (scaled / DEC).toString(),
        };
      });
      if (values.output === "json") out(toJson({ address, total }));
      else
        out(
          total.map((t) => `${t.amount}${t.denom} (withdrawable ${t.withdrawable}${t.denom})`).join("\n") || "0unusa",
        );
      return 0;
    } finally {
      comet.disconnect();
    }
  },
};

export const distributionQuery: CommandGroup = {
  summary: "fee distribution queries",
  commands: { rewards: async () => rewards },
};
