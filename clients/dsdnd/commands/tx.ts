/** @module `dsdnd tx …`: sign with a keyring key and broadcast through CosmJS; modules add subgroups. */

import { fromHex } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { calculateFee, GasPrice, type StdFee } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { parseCoinsString, toWireCoins } from "../../../chain-app/coins.js";
import type { Command, CommandGroup } from "../../../common/cli.js";
import { outputOption, toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { resolveLang } from "../../../common/ux/lang.js";
import { chainResultToUserFacing, formatUserFacing } from "../../../common/ux/userFacingError.js";
import { connectSigningClient, DEFAULT_GAS_PRICE } from "../../sdk/client.js";
import { homeOption, keyringFrom, keyringOptions, nodeOption } from "../home.js";

export const txOptions = {
  ...homeOption,
  ...nodeOption,
  ...keyringOptions,
  ...outputOption,
  gas: { type: "string" as const, default: "auto" },
  "gas-adjustment": { type: "string" as const, default: "1.4" },
  "gas-prices": { type: "string" as const, default: process.env.GAS_PRICE ?? DEFAULT_GAS_PRICE },
  fees: { type: "string" as const },
  memo: { type: "string" as const, default: "" },
};

/** `--gas auto|N`, `--fees`, `--gas-prices` → what CosmJS's signAndBroadcast takes. */
export function feeFrom(values: Record<string, unknown>): StdFee | "auto" | number {
  if (values.fees) {
    const gas = values.gas === "auto" ? "200000" : String(values.gas);
    return { amount: toWireCoins(parseCoinsString(String(values.fees))), gas };
  }
  if (values.gas === "auto") {
    const adj = Number(values["gas-adjustment"]);
    if (!(adj >= 1)) throw new InvalidArgumentError("--gas-adjustment must be a number >= 1");
    return adj;
  }
  if (!/^\d+$/.test(String(values.gas)))
    throw new InvalidArgumentError(`--gas must be "auto" or an integer, got "${values.gas}"`);
  return calculateFee(Number(values.gas), GasPrice.fromString(String(values["gas-prices"])));
}

export interface BroadcastOutcome {
  txhash: string;
  code: number;
  height: number;
  gasUsed: string;
  gasWanted: string;
  rawLog?: string;
  /** The registered error's codespace when code ≠ 0 (CosmJS drops it; read back from CometBFT). */
  codespace?: string;
}

export function printOutcome(out: (l: string) => void, values: Record<string, unknown>, r: BroadcastOutcome): number {
  const lang = resolveLang();
  if (values.output === "json") out(toJson(r));
  else
    out(
      r.code === 0
        ? `committed ${r.txhash} at height ${r.height} (gas ${r.gasUsed}/${r.gasWanted})`
        : [
            `tx ${r.txhash} failed with code ${r.code}`,
            ...formatUserFacing(
              chainResultToUserFacing({ codespace: r.codespace ?? "sdk", code: r.code, log: r.rawLog ?? "" }, lang),
              lang,
            ),
          ].join("\n"),
    );
  return r.code === 0 ? 0 : 1;
}

/** CosmJS's DeliverTxResponse has no codespace; CometBFT's indexed result does. "sdk" when it cannot be read. */
async function codespaceOf(rpcUrl: string, hash: string): Promise<string> {
  try {
    const comet = await connectComet(rpcUrl);
    try {
      return (await comet.tx({ hash: fromHex(hash) })).result.codespace || "sdk";
    } finally {
      comet.disconnect();
    }
  } catch {
    return "sdk";
  }
}

/** Signs `msgs` with keyring key `from` and broadcasts them; prints the outcome (every `dsdnd tx …` command). */
export async function broadcast(
  values: Record<string, unknown>,
  out: (l: string) => void,
  from: string,
  msgs: (address: string, chainId: string) => EncodeObject[] | Promise<EncodeObject[]>,
): Promise<number> {
  const keyring = keyringFrom(values);
  const sender = keyring.show(from);
  const { client } = await connectSigningClient(String(values.node), await keyring.signer(from), {
    gasPrice: String(values["gas-prices"]),
  });
  try {
    const chainId = await client.getChainId();
    const r = await client.signAndBroadcast(
      sender.address,
      await msgs(sender.address, chainId),
      feeFrom(values),
      String(values.memo ?? ""),
    );
    return printOutcome(out, values, {
      txhash: r.transactionHash,
      code: r.code,
      height: r.height,
      gasUsed: r.gasUsed.toString(),
      gasWanted: r.gasWanted.toString(),
      rawLog: r.rawLog,
      ...(r.code !== 0 ? { codespace: await codespaceOf(String(values.node), r.transactionHash) } : {}),
    });
  } finally {
    client.disconnect();
  }
}

const bankSend: Command = {
  summary: "send coins: <from-key> <to-address> <amount, e.g. 1000unusa>",
  usage: "<from> <to> <amount> [--node URL] [--gas auto|N] [--gas-prices 0.025unusa] [--fees 5000unusa] [--memo TEXT]",
  options: txOptions,
  run({ positionals, values, out }) {
    const [from, to, amount] = positionals;
    if (!from || !to || !amount) throw new InvalidArgumentError("usage: dsdnd tx bank send <from> <to> <amount>");
    const coins = toWireCoins(parseCoinsString(amount));
    return broadcast(values, out, from, (sender) => [
      {
        typeUrl: "/cosmos.bank.v1beta1.MsgSend",
        value: MsgSend.fromPartial({ fromAddress: sender, toAddress: to, amount: coins }),
      },
    ]);
  },
};

export const tx: CommandGroup = {
  summary: "sign and broadcast transactions",
  commands: {
    bank: async () => ({ summary: "bank transactions", commands: { send: async () => bankSend } }),
    stake: async () => (await import("./stake.js")).stakeTx,
    nodes: async () => (await import("./nodes.js")).nodesTx,
    slashing: async () => (await import("./slashing.js")).slashingTx,
    committee: async () => (await import("./committee.js")).committeeTx,
    receipt: async () => (await import("./receipt.js")).receiptTx,
    fraud: async () => (await import("./fraud.js")).fraudTx,
    gov: async () => (await import("./gov.js")).govTx,
    distribution: async () => (await import("./distribution.js")).distributionTx,
  },
};
