/** @module `dsdnd`: the Chain Nusantara daemon (`start`, `init`) and chain CLI (`tx`, `query`, `keys`). */
import { type CommandGroup, runCli } from "../../common/cli.js";

/** Each module adds its subcommands here as it lands; the chain-core issue fills start/init/tx/query/keys. */
export const dsdnd: CommandGroup = {
  summary: "Chain Nusantara daemon and chain CLI",
  commands: {
    init: async () => (await import("./commands/init.js")).init,
    start: async () => (await import("./commands/start.js")).start,
    keys: async () => (await import("./commands/keys.js")).keys,
    tx: async () => (await import("./commands/tx.js")).tx,
    query: async () => (await import("./commands/query.js")).query,
    genesis: async () => (await import("./commands/genesis.js")).genesis,
    testnet: async () => (await import("./commands/testnet.js")).testnet,
    rest: async () => (await import("./commands/rest.js")).rest,
  },
};

export function main(argv: string[]): Promise<number> {
  return runCli("dsdnd", dsdnd, argv);
}
