// The layering rule (.dependency-cruiser*.cjs, run by `npm run lint`) must reject a wrong import, not
// only describe it: each case builds a tiny source tree in a temp dir and runs the real rule on it.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const depcruise = join(repo, "node_modules", ".bin", "depcruise");
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Writes `files` (path -> the relative paths it imports) and cruises them with one of the repo's configs. */
async function cruise(
  files: Record<string, string[]>,
  config = ".dependency-cruiser.cjs",
): Promise<{ ok: boolean; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), "layering-"));
  dirs.push(dir);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true } }),
  );
  for (const [path, imports] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    const body = imports.map((p, i) => `import * as m${i} from "${p}";\nexport const x${i} = m${i};`).join("\n");
    writeFileSync(join(dir, path), `${body}\nexport const here = 1;\n`);
  }
  const roots = [...new Set(Object.keys(files).map((p) => p.split("/")[0]!))];
  try {
    const r = await run(depcruise, [...roots, "--config", join(repo, config), "--output-type", "err"], { cwd: dir });
    return { ok: true, output: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, output: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

describe("layering rule", () => {
  it("passes a tree that only imports downwards", async () => {
    const r = await cruise({
      "common/hash.ts": [],
      "chain-app/module.ts": ["../common/hash.js"],
      "modules/bank/keeper.ts": ["../../chain-app/module.js"],
      "modules/receipts/keeper.ts": ["../bank/keeper.js"],
      "app/buildApp.ts": ["../modules/receipts/keeper.js"],
      "node-agent/coordinator/x.ts": ["../../modules/receipts/keeper.js"],
      "modules/bank/send.test.ts": ["../../test/support/fixture.js"],
      "test/support/fixture.ts": ["../../app/buildApp.js"],
    });
    expect(r.output).toMatch(/no dependency violations/);
    expect(r.ok).toBe(true);
  });

  const upward: [string, Record<string, string[]>, RegExp][] = [
    [
      "a module importing off-chain code",
      { "modules/committee/x.ts": ["../../node-agent/frost/verify.js"], "node-agent/frost/verify.ts": [] },
      /modules-stay-on-chain: modules\/committee\/x\.ts → node-agent\/frost\/verify\.ts/,
    ],
    [
      "the framework importing a concrete module",
      { "chain-app/tx/ante.ts": ["../../modules/auth/keeper.js"], "modules/auth/keeper.ts": [] },
      /framework-sees-no-module: chain-app\/tx\/ante\.ts → modules\/auth\/keeper\.ts/,
    ],
    [
      "common importing the framework",
      { "common/x.ts": ["../chain-app/y.js"], "chain-app/y.ts": [] },
      /common-is-the-bottom/,
    ],
    [
      "a module importing the app wiring",
      { "modules/stake/x.ts": ["../../app/buildApp.js"], "app/buildApp.ts": [] },
      /modules-stay-on-chain/,
    ],
    [
      "shipped code importing a test fixture",
      { "modules/stake/testChain.ts": ["../../test/support/fixture.js"], "test/support/fixture.ts": [] },
      /production-imports-no-tests/,
    ],
  ];
  for (const [name, files, rule] of upward) {
    it(`rejects ${name}`, async () => {
      const r = await cruise(files);
      expect(r.ok).toBe(false);
      expect(r.output).toMatch(rule);
    });
  }

  it("rejects a two-way dependency between module folders, even through different files", async () => {
    const r = await cruise(
      {
        "modules/committee/report.ts": ["../receipts/bytes.js"],
        "modules/receipts/bytes.ts": [],
        "modules/receipts/expected.ts": ["../committee/keeper.js"],
        "modules/committee/keeper.ts": [],
      },
      ".dependency-cruiser-folders.cjs",
    );
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/no-two-way-module-dependency: modules\/committee/);
  });
});
