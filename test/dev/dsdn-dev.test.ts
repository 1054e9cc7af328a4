/** @module `dsdn dev` end to end: the dev network starts, serves the wallet page and chain info, and each `dsdn init` template deploys (or, static, uploads) on it. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../common/paths.js";
import { type DevNet, startDevNet } from "../support/devNet.js";

const run = promisify(execFile);
const root = projectRoot();
const tmp = mkdtempSync(join(tmpdir(), "dsdn-dev-"));
let net: DevNet;
let wallet: string;
let env: Record<string, string>;

beforeAll(async () => {
  net = await startDevNet(join(tmp, "net"));
  ({ wallet, env } = net);
}, 300_000);

afterAll(async () => {
  await net?.stop();
  rmSync(tmp, { recursive: true, force: true });
}, 120_000);

const dsdn = async (args: string[]) => (await run("node", ["bin/dsdn.js", ...args], { cwd: root, env })).stdout;
/** Exit code, stdout and stderr of a `dsdn` run that may fail. */
const dsdnResult = (args: string[]) =>
  run("node", ["bin/dsdn.js", ...args], { cwd: root, env }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
const jobs: Record<string, string> = {};

describe("dsdn dev", () => {
  it("serves the wallet-connect page with the localnet's Keplr chain info", async () => {
    expect(await (await fetch(`${wallet}/`)).text()).toContain("Connect Keplr");
    expect(await (await fetch(`${wallet}/wallet.js`)).text()).toContain("experimentalSuggestChain");
    const info = (await (await fetch(`${wallet}/chain-info.json`)).json()) as Record<string, any>;
    expect(info.chainId).toMatch(/nusantara/);
    expect(info.bip44.coinType).toBe(118);
    expect(info.rpc).toBe(env.RPC_URL);
    expect((await fetch(`${wallet}/nope`)).status).toBe(404);
  });

  for (const t of ["batch", "web_app", "ai"]) {
    it(`dsdn init --template ${t} then dsdn deploy --wait completes on the dev network`, async () => {
      const dir = join(tmp, t);
      await dsdn(["init", "--template", t, dir]);
      const r = JSON.parse(await dsdn(["deploy", dir, "--wait", "--json"])) as {
        jobId: string;
        state: string;
        outputCid?: string;
      };
      expect(r.jobId).toMatch(/^[0-9a-f]{64}$/);
      jobs[t] = r.jobId;
      expect(r.state).toBe("completed");
      expect(r.outputCid).toBeTruthy();
    });
  }

  it("dsdn logs: the submitter reads the job's lines from its node; another key is refused; the public status has none", async () => {
    const jobId = jobs.batch!;
    expect(jobId).toBeTruthy();
    expect((await dsdn(["logs", jobId])).split("\n")).toContain("wc done");
    const followed = await dsdnResult(["logs", "--follow", jobId]);
    expect(followed.code).toBe(0);
    expect(followed.stdout).toContain("wc done");
    expect(followed.stderr).toContain("job completed");
    const j = JSON.parse(await dsdn(["job", "logs", jobId, "--json"])) as { state: string; logs: string[] };
    expect(j).toMatchObject({ state: "completed", logs: ["wc done"] });
    // Attack: a different account (its own keyring) asks the same node for the same job.
    const stranger = await dsdnResult([
      "logs",
      jobId,
      "--keyring-dir",
      join(tmp, "stranger-keys"),
      "--keyring-backend",
      "test",
      "--lang",
      "en",
    ]);
    expect(stranger.code).toBe(1);
    expect(stranger.stdout).not.toContain("wc done");
    expect(stranger.stderr).toMatch(/account that submitted it only/);
    // The coordinator's public answer no longer carries the job's lines.
    const pub = await (await fetch(`${env.DSDN_COORDINATOR_URL}/workloads/${jobId}`)).text();
    expect(pub).not.toContain("wc done");
  });

  it("--verbose asks level 3 and prints the answer's audit data (DA height, commitment hashes)", async () => {
    const jobId = jobs.batch!;
    const plain = JSON.parse(await dsdn(["job", "status", jobId, "--json"])) as { daHeight: string; audit?: unknown };
    expect(plain.audit).toBeUndefined();
    const text = await dsdn(["job", "status", jobId, "--verbose"]);
    expect(text).toMatch(/^audit:$/m);
    expect(text).toMatch(new RegExp(`^\\s+daHeight\\s+${plain.daHeight}$`, "m"));
    expect(text).toMatch(/^\s+executionCommitment\.\w*[Hh]ash\s+\S+/m);
    const j = JSON.parse(await dsdn(["job", "status", jobId, "--json", "--verbose"])) as {
      daHeight: string;
      audit: Record<string, unknown>;
    };
    expect(j.daHeight).toBe(plain.daHeight);
    expect(j.audit.daHeight).toBe(plain.daHeight);
    expect(await dsdn(["logs", jobId, "--verbose"])).toMatch(/^audit:$/m);
  });

  it("dsdn exec runs a module once with an input and prints its output on stdout", async () => {
    const input = join(tmp, "exec-input.txt");
    writeFileSync(input, "one two three\nfour\n");
    const r = await dsdnResult(["exec", join(tmp, "batch"), "--input", input]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("2 4 19\n");
    expect(r.stderr).toMatch(/completed: output/);
  });

  it("dsdn init --template static then dsdn upload of its page", async () => {
    const dir = join(tmp, "static");
    await dsdn(["init", "--template", "static", dir]);
    const r = JSON.parse(await dsdn(["upload", join(dir, "public", "index.html"), "--json"])) as { manifest: string };
    expect(r.manifest).toMatch(/^baf/);
    const s = JSON.parse(await dsdn(["status", r.manifest, "--json"])) as { chunks: unknown[] };
    expect(s.chunks.length).toBeGreaterThan(0);
    // --verbose on a read through the coordinator: the file back, and the DA anchors of the answer it used.
    const got = await dsdn(["get", r.manifest, "-o", join(dir, "copy.html"), "--verbose"]);
    expect(got).toMatch(/^audit:$/m);
    expect(got).toMatch(/^\s+daHeight\s+\d+$/m);
  });
});
