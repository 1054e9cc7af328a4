#!/usr/bin/env node
// Thin launcher: runs the bundle (dist/bundle/, fewer files to load at start) when it is at least as new as the
// compiled entry point under dist/ (`npm run build` writes both; see scripts/bundle-cli.mjs), else dist/ itself.
import { statSync } from "node:fs";

const compiled = new URL("../dist/clients/dsdnd/main.js", import.meta.url);
const bundled = new URL("../dist/bundle/dsdnd.js", import.meta.url);
const mtime = (u) => statSync(u, { throwIfNoEntry: false })?.mtimeMs ?? Number.NaN;
// DSDN_UNBUNDLED=1 runs dist/ (the CPU profiles of `bench chain --vs simd --profile` name stages by source file).
const unbundled = process.env.DSDN_UNBUNDLED === "1";
const { main } = await import(!unbundled && mtime(bundled) >= mtime(compiled) ? bundled.href : compiled.href);

process.exitCode = await main(process.argv.slice(2));
