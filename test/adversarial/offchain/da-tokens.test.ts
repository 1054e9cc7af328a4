/**
 * DA tokens against the real `dsdn-node da` process: a token in the URL (`?token=`) is refused even when
 * valid, a token that never expires is refused even when correctly signed, a read token cannot post, and the
 * `dsdn-node` commands refuse a token on their command line (visible to every user through `ps`).
 * Needs `npm run build` first.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signJwt } from "../../../node-agent/da/localserver/auth.js";

const repo = resolve(import.meta.dirname, "../../..");
const root = mkdtempSync(join(tmpdir(), "dsdn-adv-tokens-"));
const dataDir = join(root, "da");
let daProc: ChildProcess | undefined;
let url = "";

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [join(repo, "bin/dsdn-node.js"), ...args], {
    env: { ...process.env, DA_AUTH_TOKEN: "", DA_AUTH_TOKEN_FILE: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  proc.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((ok) => proc.on("close", (code) => ok({ code, stdout, stderr })));
}

async function call(method: string, params: unknown[], opts: { bearer?: string; query?: string } = {}) {
  const res = await fetch(`${url}/${opts.query ?? ""}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(opts.bearer ? { authorization: `Bearer ${opts.bearer}` } : {}) },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const text = await res.text();
  return { status: res.status, body: text };
}

const token = (perm: string) => readFileSync(join(dataDir, `${perm}.token`), "utf8").trim();

beforeAll(async () => {
  daProc = spawn(
    process.execPath,
    [join(repo, "bin/dsdn-node.js"), "da", "--data", dataDir, "--port", "0", "--block-time-ms", "200"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  url = await new Promise<string>((ok, fail) => {
    let out = "";
    daProc!.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /local DA ready at (http:\/\/\S+)/.exec(out);
      if (m) ok(m[1]!);
    });
    daProc!.on("exit", (c) => fail(new Error(`dsdn-node da exited ${c}: ${out}`)));
  });
});

afterAll(() => {
  daProc?.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

describe("DA tokens: never in URLs or argv, always expiring, least privilege", () => {
  it("refuses a valid token sent as ?token= (it would land in access logs)", async () => {
    const ok = await call("header.LocalHead", [], { bearer: token("read") });
    expect(ok.status).toBe(200);
    const inUrl = await call("header.LocalHead", [], { query: `?token=${token("read")}` });
    expect(inUrl.status).toBe(401);
  });

  it("refuses a correctly signed token that never expires; the issued ones expire", async () => {
    const secret = new Uint8Array(Buffer.from(readFileSync(join(dataDir, "jwt-secret"), "utf8").trim(), "hex"));
    const forever = signJwt({ Allow: ["public", "read", "write", "admin"] }, secret);
    expect((await call("header.LocalHead", [], { bearer: forever })).status).toBe(401);
    const claims = JSON.parse(Buffer.from(token("write").split(".")[1]!, "base64url").toString());
    expect(typeof claims.exp).toBe("number");
  });

  it("a read token cannot post", async () => {
    const r = await call("blob.Submit", [[], {}], { bearer: token("read") });
    expect(r.body).toContain("missing permission to invoke 'Submit' (need 'write')");
  });

  it("dsdn-node commands refuse --token and never echo it; --token-file works", async () => {
    const secretToken = token("read");
    const ns = "0000000000000000000000000000000000000000000000000000c0ffee";
    const r = await run(["replay", "--da", url, "--token", secretToken, "--namespace", ns]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--token is not accepted/);
    expect(r.stdout + r.stderr).not.toContain(secretToken);
    const ok = await run(["replay", "--da", url, "--token-file", join(dataDir, "read.token"), "--namespace", ns]);
    expect(ok.code, ok.stderr).toBe(0);
  });
});
