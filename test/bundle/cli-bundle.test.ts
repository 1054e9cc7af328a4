/**
 * The bundled CLI (scripts/bundle-cli.mjs, written by `npm run build`): bin/* pick the bundle only when it is at
 * least as new as the compiled dist/, the bundle keeps lazy imports lazy (help loads no command, the data-plane
 * commands no chain client or HTTP server, a storage node no WASM runtime), and it runs.
 */
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const bundleDir = join(repo, "dist/bundle");

interface Meta {
  inputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[] }>;
}

function meta(): Meta {
  const file = join(bundleDir, "meta.json");
  if (!existsSync(file)) throw new Error("run `npm run build` first");
  return JSON.parse(readFileSync(file, "utf8")) as Meta;
}

/** Every module (and external import) reached from `from` by static imports only: what loading it loads. */
function staticClosure(m: Meta, from: string): Set<string> {
  const seen = new Set([from]);
  const queue = [from];
  while (queue.length) {
    for (const i of m.inputs[queue.shift()!]?.imports ?? []) {
      if (i.kind !== "import-statement" || seen.has(i.path)) continue;
      seen.add(i.path);
      if (!i.external) queue.push(i.path);
    }
  }
  return seen;
}

describe("bin/* launchers", () => {
  const dir = mkdtempSync(join(tmpdir(), "dsdn-bin-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "bin"));
  mkdirSync(join(dir, "dist/clients/dsdn"), { recursive: true });
  copyFileSync(join(repo, "bin/dsdn.js"), join(dir, "bin/dsdn.js"));
  writeFileSync(join(dir, "package.json"), '{"type":"module"}');
  const compiled = join(dir, "dist/clients/dsdn/main.js");
  const bundled = join(dir, "dist/bundle/dsdn.js");
  writeFileSync(compiled, 'export async function main() { console.log("dist"); return 0; }');
  const run = () => execFileSync(process.execPath, [join(dir, "bin/dsdn.js")], { encoding: "utf8" }).trim();

  it("run the compiled dist/ when there is no bundle", () => {
    expect(run()).toBe("dist");
  });

  it("run the bundle when it is as new as dist/, and dist/ again once dist/ is rebuilt without it", () => {
    mkdirSync(dirname(bundled), { recursive: true });
    writeFileSync(bundled, 'export async function main() { console.log("bundle"); return 0; }');
    utimesSync(compiled, 1_000, 1_000);
    utimesSync(bundled, 1_000, 1_000);
    expect(run()).toBe("bundle");
    // `tsc` alone (no bundling step) leaves a stale bundle behind: it must not run.
    utimesSync(compiled, 2_000, 2_000);
    expect(run()).toBe("dist");
  });
});

describe("bin/dsdnd.js under a profiler", () => {
  const dir = mkdtempSync(join(tmpdir(), "dsdnd-bin-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "bin"));
  mkdirSync(join(dir, "dist/clients/dsdnd"), { recursive: true });
  mkdirSync(join(dir, "dist/bundle"), { recursive: true });
  copyFileSync(join(repo, "bin/dsdnd.js"), join(dir, "bin/dsdnd.js"));
  writeFileSync(join(dir, "package.json"), '{"type":"module"}');
  writeFileSync(
    join(dir, "dist/clients/dsdnd/main.js"),
    'export async function main() { console.log("dist"); return 0; }',
  );
  writeFileSync(join(dir, "dist/bundle/dsdnd.js"), 'export async function main() { console.log("bundle"); return 0; }');
  const run = (env: Record<string, string>) =>
    execFileSync(process.execPath, [join(dir, "bin/dsdnd.js")], {
      encoding: "utf8",
      env: { ...process.env, ...env },
    }).trim();

  it("runs dist/ with DSDN_UNBUNDLED=1 (the bench's CPU profiles classify samples by source file), the bundle otherwise", () => {
    expect(run({ DSDN_UNBUNDLED: "0" })).toBe("bundle");
    expect(run({ DSDN_UNBUNDLED: "1" })).toBe("dist");
  });
});

describe("the CLI bundle", () => {
  it("keeps every command out of the group's own files (help imports none)", () => {
    const m = meta();
    for (const entry of ["dist/clients/dsdn/main.js", "dist/node-agent/cli/main.js", "dist/clients/dsdnd/main.js"]) {
      const loaded = [...staticClosure(m, entry)];
      expect(loaded.filter((f) => /\/commands\/|\/cli\/(?!main)/.test(f))).toEqual([]);
    }
  });

  it.each(["get", "upload"])("`dsdn %s` loads neither fastify nor the chain client libraries", (command) => {
    const loaded = [...staticClosure(meta(), `dist/clients/dsdn/commands/${command}.js`)];
    expect(loaded.length).toBeGreaterThan(5);
    const heavy = /node_modules\/(fastify|@cosmjs\/(stargate|tendermint-rpc|proto-signing|amino))\//;
    expect(loaded.filter((f) => heavy.test(f))).toEqual([]);
  });

  it("a storage node loads the WASM runtime (and binaryen) only when it runs a job", () => {
    const loaded = [...staticClosure(meta(), "dist/node-agent/cli/storage.js")];
    expect(loaded).toContain("dist/node-agent/compute/agent.js");
    expect(loaded.filter((f) => /runtime\/runJob|binaryen|runtime\/v8\//.test(f))).toEqual([]);
  });

  it("runs: `dsdn --help` from the bundle lists the commands", () => {
    const out = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const m = await import(${JSON.stringify(join(bundleDir, "dsdn.js"))}); process.exitCode = await m.main(["--help"]);`,
      ],
      { encoding: "utf8" },
    );
    expect(out).toContain("upload");
    expect(out).toContain("Fetch a file by its manifest CID");
  });
});
