/** @module `dsdnd keys add|list|show`: the local keyring. */

import { createInterface } from "node:readline/promises";
import type { Command, CommandGroup } from "../../../common/cli.js";
import { outputOption, toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { homeOption, keyringFrom, keyringOptions } from "../home.js";

const opts = { ...homeOption, ...keyringOptions, ...outputOption };

async function readMnemonic(): Promise<string> {
  const rl = createInterface({ input: process.stdin, terminal: false });
  if (process.stdin.isTTY) process.stderr.write("Enter your BIP-39 mnemonic: ");
  for await (const line of rl) {
    rl.close();
    return line;
  }
  throw new InvalidArgumentError("no mnemonic on standard input");
}

const add: Command = {
  summary: "create a key (or --recover one from a mnemonic on stdin)",
  usage: "<name> [--recover] [--keyring-backend file|test] [--keyring-passphrase-file FILE]",
  options: { ...opts, recover: { type: "boolean" } },
  async run({ positionals, values, out, err }) {
    const name = positionals[0];
    if (!name) throw new InvalidArgumentError("missing <name>");
    const mnemonic = values.recover ? await readMnemonic() : undefined;
    const { info, mnemonic: words } = await keyringFrom(values).add(name, mnemonic);
    if (values.output === "json") out(toJson(values.recover ? info : { ...info, mnemonic: words }));
    else {
      out(`- name: ${info.name}\n  address: ${info.address}\n  pubkey: ${info.pubkey}`);
      if (!values.recover)
        err(`\n**Write this mnemonic down and keep it safe; it is the only way to recover the key:**\n\n${words}\n`);
    }
    return 0;
  },
};

const list: Command = {
  summary: "list keys",
  options: opts,
  run({ values, out }) {
    const keys = keyringFrom(values).list();
    if (values.output === "json") out(toJson(keys));
    else for (const k of keys) out(`${k.name}\t${k.address}`);
    return 0;
  },
};

const show: Command = {
  summary: "show a key by name or address",
  usage: "<name> [-a]",
  options: { ...opts, address: { type: "boolean", short: "a" } },
  run({ positionals, values, out }) {
    const k = keyringFrom(values).show(positionals[0] ?? "");
    if (values.address) out(k.address);
    else if (values.output === "json") out(toJson(k));
    else out(`- name: ${k.name}\n  address: ${k.address}\n  pubkey: ${k.pubkey}`);
    return 0;
  },
};

export const keys: CommandGroup = {
  summary: "manage local account keys",
  commands: { add: async () => add, list: async () => list, show: async () => show },
};
