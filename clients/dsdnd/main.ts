/** @module `dsdnd`: the Chain Nusantara daemon (`start`, `init`) and chain CLI (`tx`, `query`, `keys`). */
import { type CommandGroup, runCli } from "../../common/cli.js";

/** Each module adds its subcommands here as it lands; the chain-core issue fills start/init/tx/query/keys. */
export const dsdnd: CommandGroup = {
  summary: "Chain Nusantara daemon and chain CLI",
  commands: {},
};

export function main(argv: string[]): Promise<number> {
  return runCli("dsdnd", dsdnd, argv);
}
