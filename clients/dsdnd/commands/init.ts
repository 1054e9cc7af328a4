/**
 * @module `dsdnd init <moniker>`: CometBFT config + keys, app config, and a genesis with no validator yet:
 * `dsdnd genesis add-validator` bonds this node's consensus key for an operator (as the SDK's gentx), since
 * the chain only accepts genesis validators its stake module bonds.
 */

import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import type { Command } from "../../../common/cli.js";
import { toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { cometbftBinary } from "../../../common/paths.js";
import { buildGenesis } from "../../../genesis/builder.js";
import { appConfigPath, genesisPath, homeOption } from "../home.js";

export const init: Command = {
  summary: "initialise a node home: CometBFT config and keys, app config, genesis",
  usage: "<moniker> [--home DIR] [--chain-id ID] [--overwrite]",
  options: {
    ...homeOption,
    "chain-id": { type: "string", default: "nusantara-local-1" },
    overwrite: { type: "boolean" },
    output: { type: "string", short: "o", default: "text" },
  },
  run({ positionals, values, out }) {
    const moniker = positionals[0];
    if (!moniker) throw new InvalidArgumentError("missing <moniker>");
    const home = String(values.home);
    if (existsSync(genesisPath(home)) && !values.overwrite)
      throw new InvalidArgumentError(`${genesisPath(home)} exists; use --overwrite to replace it`);
    execFileSync(cometbftBinary(), ["init", "--home", home], { stdio: "pipe" });
    const genesis = buildGenesis({
      chainId: String(values["chain-id"]),
      genesisTime: new Date().toISOString(),
      validators: [],
      balances: [],
    });
    writeFileSync(genesisPath(home), JSON.stringify(genesis, null, 2));
    if (!existsSync(appConfigPath(home)) || values.overwrite) {
      writeFileSync(
        appConfigPath(home),
        JSON.stringify({ abci: "tcp://127.0.0.1:26658", minGasPrice: "0.025unusa", retainHeights: 100 }, null, 2),
      );
    }
    const nodeId = execFileSync(cometbftBinary(), ["show-node-id", "--home", home], { encoding: "utf8" }).trim();
    const result = { moniker, chainId: values["chain-id"], home, nodeId };
    out(
      values.output === "json"
        ? toJson(result)
        : `initialised ${moniker} (chain ${result.chainId}) in ${home}; node id ${nodeId}\n` +
            "next: dsdnd genesis add-account <operator> <coins> and dsdnd genesis add-validator <operator> --moniker NAME",
    );
    return 0;
  },
};
