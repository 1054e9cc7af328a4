/** @module The SDK examples run as an application would: `node examples/*.mjs` importing `dsdn/sdk` from the built package. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { init } from "../dsdn/commands/init.js";

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), "dsdn-examples-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("SDK examples (npm test builds dist/ first)", () => {
  it("estimate.mjs prices a fresh batch project", async () => {
    const dir = join(tmp, "job");
    await init.run({ positionals: [dir], values: { template: "batch" } as never, out: () => {}, err: () => {} });
    const { stdout } = await run("node", ["examples/estimate.mjs", dir]);
    const r = JSON.parse(stdout) as { class: string; fuel: string; replicas: number; priceUnusa: string };
    expect(r.class).toMatch(/\w+/);
    expect(BigInt(r.fuel)).toBeGreaterThan(0n);
    expect(r.replicas).toBeGreaterThanOrEqual(1);
    expect(BigInt(r.priceUnusa)).toBeGreaterThanOrEqual(0n);
  });

  it("errors.mjs prints a translated error, no stack, in both languages", async () => {
    const id = (await run("node", ["examples/errors.mjs", "id"])).stdout;
    expect(id).toContain("Masukan tidak valid");
    expect(id).toContain('"code":"DSDN_INVALID_ARGUMENT"');
    expect(id).not.toMatch(/\n\s+at /);
    const en = (await run("node", ["examples/errors.mjs", "en"])).stdout;
    expect(en).toContain("Invalid input");
  });
});
