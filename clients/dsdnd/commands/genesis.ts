/** @module `dsdnd genesis add-account|add-validator`: fund accounts and bond the node's validator in this home's genesis. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { validateAppState } from "../../../app/buildApp.js";
import { parseCoinsString, toWireCoins } from "../../../chain-app/coins.js";
import type { Command, CommandGroup } from "../../../common/cli.js";
import { isValidAddress } from "../../../common/secp256k1.js";
import { validatorAddress } from "../../../genesis/builder.js";
import { ModuleAccount, moduleAddress } from "../../../modules/auth/moduleAccounts.js";
import { genesisPath, homeOption, keyringFrom, keyringOptions } from "../home.js";

const addAccount: Command = {
  summary: "add a funded account (address or keyring name) to genesis",
  usage: "<address|key-name> <coins, e.g. 1000000000unusa> [--home DIR]",
  options: { ...homeOption, ...keyringOptions },
  run({ positionals, values, out }) {
    const [who, coinsText] = positionals;
    if (!who || !coinsText) throw new Error("usage: dsdnd genesis add-account <address|key-name> <coins>");
    const address = isValidAddress(who) ? who : keyringFrom(values).show(who).address;
    const coins = toWireCoins(parseCoinsString(coinsText));
    const path = genesisPath(String(values.home));
    const genesis = JSON.parse(readFileSync(path, "utf8")) as { app_state: Record<string, any> };
    const bank = genesis.app_state.bank;
    if (bank.balances.some((b: { address: string }) => b.address === address))
      throw new Error(`${address} already has a genesis balance`);
    bank.balances.push({ address, coins });
    validateAppState(genesis.app_state);
    writeFileSync(path, JSON.stringify(genesis, null, 2));
    out(`added ${address} with ${coinsText} to ${path}`);
    return 0;
  },
};

/**
 * The gentx step: bonds this home's consensus key (config/priv_validator_key.json) as a stake validator
 * operated by `operator`, moving the self-bond from the operator's genesis balance into the bonded pool,
 * and lists the same key and power in genesis.json's validators (InitChain requires both to agree).
 */
const addValidator: Command = {
  summary: "bond this node's consensus key as a genesis validator for an operator (funded by add-account)",
  usage: "<address|key-name> [--self-bond 1000000000unusa] [--moniker NAME] [--home DIR]",
  options: { ...homeOption, ...keyringOptions, "self-bond": { type: "string" }, moniker: { type: "string" } },
  run({ positionals, values, out }) {
    const [who] = positionals;
    if (!who) throw new Error("usage: dsdnd genesis add-validator <address|key-name> [--self-bond COINS]");
    const operator = isValidAddress(who) ? who.toLowerCase() : keyringFrom(values).show(who).address;
    const home = String(values.home);
    const path = genesisPath(home);
    const genesis = JSON.parse(readFileSync(path, "utf8")) as { app_state: Record<string, any>; validators: any[] };
    const stake = genesis.app_state.stake;
    const denom: string = stake.params?.bondDenom ?? "unusa";
    const reduction = BigInt(stake.params?.powerReduction ?? "1000000");
    const bond = parseCoinsString(
      String(values["self-bond"] ?? `${BigInt(stake.params?.minValidatorSelfBond ?? "1000000000")}${denom}`),
    );
    if (bond.length !== 1 || bond[0]!.denom !== denom) throw new Error(`--self-bond must be an amount of ${denom}`);
    const amount = bond[0]!.amount;
    const power = amount / reduction;
    if (power <= 0n) throw new Error(`--self-bond must be at least ${reduction}${denom} (one unit of power)`);
    const pv = JSON.parse(readFileSync(join(home, "config", "priv_validator_key.json"), "utf8")) as {
      pub_key: { value: string };
    };
    if (
      (stake.validators ?? []).some(
        (v: { operator: string; consensusPubkey: string }) =>
          v.operator === operator || v.consensusPubkey === pv.pub_key.value,
      )
    )
      throw new Error(`a genesis validator already uses ${operator} or this node's consensus key`);
    const bank = genesis.app_state.bank;
    const entry = bank.balances.find((b: { address: string }) => b.address === operator);
    const have = BigInt(entry?.coins.find((c: { denom: string }) => c.denom === denom)?.amount ?? "0");
    if (have < amount)
      throw new Error(
        `${operator} has ${have}${denom} in genesis, the self-bond needs ${amount}${denom}: add-account first`,
      );
    entry.coins = entry.coins
      .map((c: { denom: string; amount: string }) =>
        c.denom === denom ? { denom, amount: (have - amount).toString() } : c,
      )
      .filter((c: { amount: string }) => c.amount !== "0");
    const pool = moduleAddress(ModuleAccount.BondedPool);
    const poolEntry = bank.balances.find((b: { address: string }) => b.address === pool);
    if (poolEntry) {
      const c = poolEntry.coins.find((x: { denom: string }) => x.denom === denom);
      if (c) c.amount = (BigInt(c.amount) + amount).toString();
      else poolEntry.coins.push({ denom, amount: amount.toString() });
    } else bank.balances.push({ address: pool, coins: [{ denom, amount: amount.toString() }] });
    const moniker = String(values.moniker ?? "validator");
    stake.validators = [
      ...(stake.validators ?? []),
      { operator, consensusPubkey: pv.pub_key.value, moniker, tokens: amount.toString() },
    ];
    genesis.validators = [
      ...(genesis.validators ?? []),
      {
        address: validatorAddress(pv.pub_key.value),
        pub_key: { type: "tendermint/PubKeyEd25519", value: pv.pub_key.value },
        power: power.toString(),
        name: moniker,
      },
    ];
    validateAppState(genesis.app_state);
    writeFileSync(path, JSON.stringify(genesis, null, 2));
    out(`bonded ${amount}${denom} (power ${power}) for ${operator} with this node's consensus key in ${path}`);
    return 0;
  },
};

export const genesis: CommandGroup = {
  summary: "edit genesis before the chain starts",
  commands: { "add-account": async () => addAccount, "add-validator": async () => addValidator },
};
