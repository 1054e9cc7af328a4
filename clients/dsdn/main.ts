/** @module `dsdn`: the user's agent CLI — upload, get, status, deploy, keys. */
import { type CommandGroup, runCli } from "../../common/cli.js";

export const dsdn: CommandGroup = {
  summary: "DSDN agent: store and fetch data, deploy workloads",
  commands: {},
};

export function main(argv: string[]): Promise<number> {
  return runCli("dsdn", dsdn, argv);
}
