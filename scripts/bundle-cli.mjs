// @module Bundles the compiled CLI entry points (dist/) into dist/bundle/ with esbuild: a few files to load at start instead of ~150.
//
// Why: `dsdn get` of a 1 KiB file spent most of its time in ESM loading (resolving, reading and compiling one
// module at a time). The bundle keeps every lazy `import()` lazy (code splitting: each command is its own chunk, so
// `dsdn --help` still loads no command). bin/* run the bundle when it is at least as new as the compiled dist/
// (`npm run build` writes both), and the unbundled dist/ otherwise.
//
// Left out of the bundle (loaded from node_modules or dist/ as before):
// - native addons and packages loaded through createRequire (better-sqlite3, secp256k1, @ronomon/reed-solomon);
// - binaryen (a ~10 MB module only the workload commands need, imported lazily);
// - modules that locate files next to themselves (a worker script, a child process entry point): they stay in
//   dist/ so their `import.meta.url` still points where those files are.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(repo, "dist");
const out = join(dist, "bundle");

/** Entry name → compiled entry module (what bin/<name>.js imports `main` from). */
export const entries = {
  dsdn: "clients/dsdn/main.js",
  dsdnd: "clients/dsdnd/main.js",
  "dsdn-node": "node-agent/cli/main.js",
};

/** Packages resolved at run time from node_modules (native code, or too large to be worth parsing into the bundle). */
const externalPackages = ["better-sqlite3", "secp256k1", "@ronomon/reed-solomon", "binaryen", "fsevents"];

/** Compiled modules that find files relative to their own location: imported from dist/ instead of being inlined. */
const keepInDist = ["node-agent/runtime/runJob.js", "node-agent/coordinator/frost/processCluster.js"];

/** esbuild plugin: imports of the `keepInDist` modules become external imports of their dist/ file. */
const distModules = {
  name: "keep-in-dist",
  setup(b) {
    b.onResolve({ filter: /\.js$/ }, (args) => {
      if (!args.resolveDir.startsWith(dist)) return undefined;
      const target = resolve(args.resolveDir, args.path);
      const rel = relative(dist, target);
      if (!keepInDist.includes(rel)) return undefined;
      return { path: `../${rel}`, external: true };
    });
  },
};

export async function bundle() {
  // esbuild is a devDependency: a tree installed before it was added (or with --omit=dev) still builds, and bin/*
  // then run the unbundled dist/.
  const esbuild = await import("esbuild").catch((e) => {
    if (e?.code !== "ERR_MODULE_NOT_FOUND") throw e;
    return null;
  });
  if (!esbuild) {
    rmSync(out, { recursive: true, force: true });
    console.warn("bundle: esbuild is not installed (run `npm ci`); bin/* run the unbundled dist/");
    return null;
  }
  const { build } = esbuild;
  for (const file of Object.values(entries)) {
    if (!existsSync(join(dist, file))) throw new Error(`${file} is not compiled: run tsc -p tsconfig.build.json first`);
  }
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const result = await build({
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, join(dist, file)])),
    outdir: out,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: externalPackages,
    plugins: [distModules],
    // CommonJS packages inside an ESM bundle call require() for node builtins; give them a real one.
    banner: {
      js: 'import { createRequire as __bundleRequire } from "node:module";const require = __bundleRequire(import.meta.url);',
    },
    // Chunks sit beside the entries: every bundle file is two levels below the project root, as dist/common/cli.js
    // is, so `new URL("../../package.json", import.meta.url)` finds package.json from whichever chunk holds it.
    chunkNames: "[name]-[hash]",
    metafile: true,
    logLevel: "warning",
    legalComments: "none",
  });
  writeFileSync(join(out, "meta.json"), JSON.stringify(result.metafile));
  const size = Object.entries(result.metafile.outputs).reduce((n, [, o]) => n + o.bytes, 0);
  console.log(
    `bundle: ${Object.keys(result.metafile.outputs).length} files, ${(size / 1e6).toFixed(1)} MB in ${relative(repo, out)}`,
  );
  return result;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bundle();
}
