/** @module Stand-alone entry for the FROST commands until the node CLI mounts them: `node dist/…/frost/main.js serve …`. */
import { runCli } from "../../../common/cli.js";
import { frostCommand } from "./cli.js";

process.exitCode = await runCli("dsdn-frost", frostCommand, process.argv.slice(2));
