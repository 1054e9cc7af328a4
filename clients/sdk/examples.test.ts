/** @module The SDK examples run as an application would: `node examples/*.mjs` importing `dsdn/sdk` from the built package; upload-get.mjs against a real `dsdn dev`. */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { type DevNet, startDevNet } from "../../test/support/devNet.js";
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
  }, 120_000);

  it("errors.mjs prints a translated error, no stack, in both languages", async () => {
    const id = (await run("node", ["examples/errors.mjs", "id"])).stdout;
    expect(id).toContain("Masukan tidak valid");
    expect(id).toContain('"code":"DSDN_INVALID_ARGUMENT"');
    expect(id).not.toMatch(/\n\s+at /);
    const en = (await run("node", ["examples/errors.mjs", "en"])).stdout;
    expect(en).toContain("Invalid input");
  }, 120_000);
});

describe("upload-get.mjs against a real `dsdn dev` network", () => {
  let net: DevNet | undefined;
  afterAll(async () => {
    await net?.stop();
  }, 120_000);

  it("stores a file and reads the same bytes back", async () => {
    net = await startDevNet(join(tmp, "dev"));
    // Larger than one chunk, so the manifest, placement of several chunks and reassembly are all exercised.
    const bytes = randomBytes(5 * 1024 * 1024 + 12_345);
    const file = join(tmp, "photo.bin");
    writeFileSync(file, bytes);
    const { stdout, stderr } = await run("node", ["examples/upload-get.mjs", file], { env: net.env });
    const r = JSON.parse(stdout) as { manifest: string; daHeight: string; size: number; out: string };
    expect(r.manifest).toMatch(/^baf/);
    expect(BigInt(r.daHeight)).toBeGreaterThan(0n);
    expect(r.size).toBe(bytes.length);
    expect(Buffer.compare(readFileSync(r.out), bytes)).toBe(0);
    expect(stderr).toMatch(/upload 100%/);
    expect(stderr).toMatch(/get 100%/);
  }, 400_000);
});
