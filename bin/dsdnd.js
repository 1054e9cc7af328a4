#!/usr/bin/env node
// Thin launcher: the compiled entry point lives under dist/ (built by `npm ci` via the prepare script).
import { main } from "../dist/clients/dsdnd/main.js";

process.exitCode = await main(process.argv.slice(2));
