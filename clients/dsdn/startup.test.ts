/**
 * CLI start time: the data-plane commands must not load the HTTP server framework or the chain client libraries
 * they never use (each costs tens of CommonJS files to parse at every `dsdn get`). Runs the compiled dist/
 * (`npm run build` first), in a fresh process per command, and lists the CommonJS packages it loaded.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The CommonJS packages loaded by importing one compiled command module (ESM imports of CJS fill require.cache). */
function packagesLoadedBy(command: string): string[] {
  const file = join(repo, "dist/clients/dsdn/commands", `${command}.js`);
  if (!existsSync(file)) throw new Error("run `npm run build` first");
  const script = `import { createRequire } from "node:module";
await import(${JSON.stringify(pathToFileURL(file).href)});
const names = new Set();
for (const f of Object.keys(createRequire(import.meta.url).cache)) {
  const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(f);
  if (m) names.add(m[1]);
}
console.log(JSON.stringify([...names].sort()));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop()!) as string[];
}

const heavy = ["fastify", "@cosmjs/stargate", "@cosmjs/tendermint-rpc", "@cosmjs/proto-signing", "@cosmjs/amino"];

describe("dsdn command start", () => {
  it.each(["get", "upload"])("`dsdn %s` loads neither fastify nor the chain client libraries", (command) => {
    const loaded = packagesLoadedBy(command);
    expect(loaded.length).toBeGreaterThan(0);
    expect(loaded.filter((p) => heavy.includes(p))).toEqual([]);
  });

  it("`dsdn estimate` loads the chain client only when it asks for a price", () => {
    const loaded = packagesLoadedBy("estimate");
    expect(loaded.filter((p) => p === "@cosmjs/stargate" || p === "@cosmjs/tendermint-rpc")).toEqual([]);
  });
});

describe("dsdn --help", () => {
  it("prints every command's summary without importing any command module", () => {
    const main = join(repo, "dist/clients/dsdn/main.js");
    if (!existsSync(main)) throw new Error("run `npm run build` first");
    // The CommonJS packages the process loaded (ESM imports of CJS fill require.cache); help goes to a buffer.
    const script = `import { createRequire } from "node:module";
const m = await import(${JSON.stringify(pathToFileURL(main).href)});
const lines = [];
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (s) => (lines.push(String(s)), true);
await m.main(["--help"]);
process.stdout.write = write;
const cjs = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes("/node_modules/"));
console.log(JSON.stringify({ out: lines.join(""), cjs: cjs.length }));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    const r = JSON.parse(out.trim().split("\n").pop()!) as { out: string; cjs: number };
    expect(r.out).toContain("upload");
    // Loading the commands for their summaries pulled in binaryen, secp256k1 and the chain clients (hundreds of files).
    expect(r.cjs).toBe(0);
  });

  it("the summaries `dsdn --help` prints are the commands' own", async () => {
    const { dsdn } = await import("./main.js");
    const names = Object.keys(dsdn.commands).sort();
    expect(Object.keys(dsdn.summaries ?? {}).sort()).toEqual(names);
    for (const name of names) expect(dsdn.summaries?.[name]).toBe((await dsdn.commands[name]!()).summary);
  });
});
