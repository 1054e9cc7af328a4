/** @module Stand-alone entry: `node dist/node-agent/coordinator/receipts/main.js serve …` (also `dsdn-node coordinator receipts`). */
import { runCli } from "../../../common/cli.js";
import { receiptsCommand } from "./cli.js";

process.exitCode = await runCli("dsdn-receipts", receiptsCommand, process.argv.slice(2));
