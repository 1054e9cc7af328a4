#!/usr/bin/env node
// Thin launcher: runs the bundle (dist/bundle/, fewer files to load at start) when it is at least as new as the
// compiled entry point under dist/ (`npm run build` writes both; see scripts/bundle-cli.mjs), else dist/ itself.
import { statSync } from "node:fs";

const compiled = new URL("../dist/clients/dsdn/main.js", import.meta.url);
const bundled = new URL("../dist/bundle/dsdn.js", import.meta.url);
const mtime = (u) => statSync(u, { throwIfNoEntry: false })?.mtimeMs ?? Number.NaN;
const { main } = await import(mtime(bundled) >= mtime(compiled) ? bundled.href : compiled.href);

process.exitCode = await main(process.argv.slice(2));
