/** @module `dsdnd tx stake …` and `dsdnd query stake …`: validator and node bonds, unbonding, stake queries. */

import { readFileSync } from "node:fs";
import { QueryClient } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { parseCoinsString } from "../../../chain-app/coins.js";
import type { Command, CommandGroup } from "../../../common/cli.js";
import { outputOption, toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { formatStakeWeight } from "../../../modules/stake/stakeWeight.js";
import {
  BondKind,
  bondKindToJSON,
  NodeClass,
  nodeClassToJSON,
  type Validator,
} from "../../../proto/gen/dsdn/stake/v1/stake.js";
import { type NodesExtension, setupNodesExtension } from "../../sdk/nodes.js";
import { type SlashingExtension, setupSlashingExtension } from "../../sdk/slashing.js";
import {
  bondNodeMsg,
  createValidatorMsg,
  type StakeExtension,
  setupStakeExtension,
  unbondMsg,
} from "../../sdk/stake.js";
import { nodeOption } from "../home.js";
import { broadcast, txOptions } from "./tx.js";

/** Re-exported for the module command files that import it from here. */
export { broadcast };

/** "1000000unusa" or a bare integer of unusa → bigint; other denoms are refused. */
export function parseUnusa(text: string): bigint {
  if (/^\d+$/.test(text)) return BigInt(text);
  const coins = parseCoinsString(text);
  if (coins.length !== 1 || coins[0]!.denom !== "unusa")
    throw new InvalidArgumentError(`amount must be in unusa, got "${text}"`);
  return coins[0]!.amount;
}

export function parseNodeClass(text: string): NodeClass {
  const t = text.toLowerCase().replace(/_/g, "-");
  if (t === "regular") return NodeClass.NODE_CLASS_REGULAR;
  if (t === "data-center" || t === "datacenter" || t === "dc") return NodeClass.NODE_CLASS_DATA_CENTER;
  throw new InvalidArgumentError(`node class must be "regular" or "data-center", got "${text}"`);
}

/** The ed25519 consensus public key from --pubkey (base64) or --priv-validator-key (CometBFT's JSON file). */
function consensusPubkey(values: Record<string, unknown>): Uint8Array {
  if (values.pubkey) {
    const pk = Buffer.from(String(values.pubkey), "base64");
    if (pk.length !== 32) throw new InvalidArgumentError("--pubkey must be base64 of a 32-byte ed25519 key");
    return pk;
  }
  if (values["priv-validator-key"]) {
    const j = JSON.parse(readFileSync(String(values["priv-validator-key"]), "utf8")) as {
      pub_key?: { type?: string; value?: string };
    };
    if (j.pub_key?.type !== "tendermint/PubKeyEd25519" || !j.pub_key.value)
      throw new InvalidArgumentError("priv_validator_key.json holds no ed25519 pub_key");
    return Buffer.from(j.pub_key.value, "base64");
  }
  throw new InvalidArgumentError("give --pubkey <base64> or --priv-validator-key <path to priv_validator_key.json>");
}

const createValidator: Command = {
  summary: "bond self-stake for a new validator with an ed25519 consensus key",
  usage: "<from> --amount 1000000000unusa (--priv-validator-key FILE | --pubkey BASE64) [--moniker NAME] [--node URL]",
  options: {
    ...txOptions,
    amount: { type: "string" },
    pubkey: { type: "string" },
    "priv-validator-key": { type: "string" },
    moniker: { type: "string" },
  },
  async run({ positionals, values, out }) {
    const from = positionals[0];
    if (!from || !values.amount)
      throw new InvalidArgumentError("usage: dsdnd tx stake create-validator <from> --amount <unusa> …");
    const pubkey = consensusPubkey(values);
    const amount = parseUnusa(String(values.amount));
    return broadcast(values, out, from, (signer) => [
      createValidatorMsg({ signer, consensusPubkey: pubkey, moniker: String(values.moniker ?? from), amount }),
    ]);
  },
};

const bondNode: Command = {
  summary: "bond (or top up) storage-node stake: regular >= 500 NUSA, data-center >= 5000 NUSA",
  usage: "<from> <regular|data-center> <amount, e.g. 500000000unusa> [--node URL]",
  options: txOptions,
  async run({ positionals, values, out }) {
    const [from, cls, amount] = positionals;
    if (!from || !cls || !amount)
      throw new InvalidArgumentError("usage: dsdnd tx stake bond-node <from> <class> <amount>");
    const c = parseNodeClass(cls);
    const a = parseUnusa(amount);
    return broadcast(values, out, from, (signer) => [bondNodeMsg({ signer, class: c, amount: a })]);
  },
};

const unbond: Command = {
  summary: "start unbonding validator or node stake (paid out after the unbonding period)",
  usage: "<from> <validator|node> <amount> [--node URL]",
  options: txOptions,
  async run({ positionals, values, out }) {
    const [from, kind, amount] = positionals;
    if (!from || !kind || !amount)
      throw new InvalidArgumentError("usage: dsdnd tx stake unbond <from> <validator|node> <amount>");
    const k =
      kind === "validator" ? BondKind.BOND_KIND_VALIDATOR : kind === "node" ? BondKind.BOND_KIND_NODE : undefined;
    if (k === undefined) throw new InvalidArgumentError(`kind must be "validator" or "node", got "${kind}"`);
    const a = parseUnusa(amount);
    return broadcast(values, out, from, (signer) => [unbondMsg({ signer, kind: k, amount: a })]);
  },
};

export const stakeTx: CommandGroup = {
  summary: "stake transactions",
  commands: {
    "create-validator": async () => createValidator,
    "bond-node": async () => bondNode,
    unbond: async () => unbond,
  },
};

// ---- queries -----------------------------------------------------------------------------------

const qopts = { ...nodeOption, ...outputOption };

/** Runs `fn` with a query client that has the stake, nodes and slashing extensions. */
export async function withQuery<T>(
  values: Record<string, unknown>,
  fn: (q: QueryClient & StakeExtension & NodesExtension & SlashingExtension) => Promise<T>,
): Promise<T> {
  const comet = await connectComet(String(values.node));
  try {
    return await fn(
      QueryClient.withExtensions(comet, setupStakeExtension, setupNodesExtension, setupSlashingExtension),
    );
  } finally {
    comet.disconnect();
  }
}

export const validatorJson = (v: Validator) => ({
  operator: v.operator,
  consensusPubkey: Buffer.from(v.consensusPubkey).toString("base64"),
  consensusAddress: v.consensusAddress,
  moniker: v.moniker,
  tokens: v.tokens,
  jailed: v.jailed,
  power: v.power.toString(),
});

const getStake: Command = {
  summary: "validator self-bond, node stake and class, unbonding and stake weight of an address",
  usage: "<address> [--node URL] [-o json]",
  options: qopts,
  run: ({ positionals, values, out }) =>
    withQuery(values, async (q) => {
      const address = positionals[0];
      if (!address) throw new InvalidArgumentError("missing <address>");
      const r = await q.stake.getStake(address);
      // Every field, defaults included, so scripts can rely on them.
      const json = {
        address: r.address,
        validatorTokens: r.validatorTokens,
        nodeStake: r.nodeStake,
        nodeClass: nodeClassToJSON(r.nodeClass),
        unbonding: r.unbonding,
        minNodeStake: r.minNodeStake,
        meetsNodeMinimum: r.meetsNodeMinimum,
        stakeWeight: r.stakeWeight,
        stakeWeightDecimal: formatStakeWeight(BigInt(r.stakeWeight)),
        unbondings: r.unbondings.map((u) => ({
          id: u.id.toString(),
          kind: bondKindToJSON(u.kind),
          amount: u.amount,
          creationHeight: u.creationHeight.toString(),
          completionTime: u.completionTime.toString(),
        })),
      };
      if (values.output === "json") out(toJson(json));
      else
        out(
          [
            `address: ${r.address}`,
            `validator_tokens: ${r.validatorTokens}unusa`,
            `node_stake: ${r.nodeStake}unusa (${r.nodeClass === 0 ? "no class" : r.nodeClass === 1 ? "regular" : "data-center"}, minimum ${r.minNodeStake}unusa, ${r.meetsNodeMinimum ? "meets" : "below"} minimum)`,
            `unbonding: ${r.unbonding}unusa`,
            `stake_weight: ${formatStakeWeight(BigInt(r.stakeWeight))}`,
          ].join("\n"),
        );
      return 0;
    }),
};

const validators: Command = {
  summary: "validators known to the stake module (sorted by operator)",
  usage: "[--limit N] [--page-key HEX] [--node URL] [-o json]",
  options: { ...qopts, limit: { type: "string" }, "page-key": { type: "string" } },
  run: ({ values, out }) =>
    withQuery(values, async (q) => {
      const key = values["page-key"] ? Buffer.from(String(values["page-key"]), "hex") : undefined;
      const r = await q.stake.validators(key, values.limit ? BigInt(String(values.limit)) : undefined);
      if (values.output === "json")
        out(
          toJson({
            validators: r.validators.map(validatorJson),
            nextKey: Buffer.from(r.pagination?.nextKey ?? []).toString("hex"),
          }),
        );
      else
        for (const v of r.validators)
          out(
            `${v.operator}\t${v.consensusAddress}\t${v.moniker}\t${v.tokens}unusa\tpower ${v.power}${v.jailed ? "\tJAILED" : ""}`,
          );
      return 0;
    }),
};

const validator: Command = {
  summary: "one validator by operator (bech32) or consensus address (hex)",
  usage: "<address> [--node URL] [-o json]",
  options: qopts,
  run: ({ positionals, values, out }) =>
    withQuery(values, async (q) => {
      const address = positionals[0];
      if (!address) throw new InvalidArgumentError("missing <address>");
      const v = (await q.stake.validator(address)).validator!;
      out(values.output === "json" ? toJson(validatorJson(v)) : `${v.operator} ${v.consensusAddress} power ${v.power}`);
      return 0;
    }),
};

const params: Command = {
  summary: "stake module params",
  usage: "[--node URL]",
  options: qopts,
  run: ({ values, out }) =>
    withQuery(values, async (q) => {
      out(toJson(await q.stake.params(), values.output === "json" ? undefined : 2));
      return 0;
    }),
};

export const stakeQuery: CommandGroup = {
  summary: "stake queries",
  commands: {
    "get-stake": async () => getStake,
    validators: async () => validators,
    validator: async () => validator,
    params: async () => params,
  },
};
