/** @module `dsdnd genesis add-account`: fund an account in this home's genesis before the chain starts. */
import { readFileSync, writeFileSync } from "node:fs";
import { validateAppState } from "../../../app/buildApp.js";
import { parseCoinsString, toWireCoins } from "../../../chain-app/coins.js";
import type { Command, CommandGroup } from "../../../common/cli.js";
import { isValidAddress } from "../../../common/secp256k1.js";
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

export const genesis: CommandGroup = {
  summary: "edit genesis before the chain starts",
  commands: { "add-account": async () => addAccount },
};
