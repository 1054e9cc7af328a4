/** @module Stand-alone entry: `node dist/node-agent/storage/receipts/main.js request …`. */
import { runCli } from "../../../common/cli.js";
import { storageReceiptCommand } from "./cli.js";

process.exitCode = await runCli("dsdn-storage-receipt", storageReceiptCommand, process.argv.slice(2));
