/**
 * Attack surface: `dsdn get` of an encrypted file writes decrypted plaintext into a hidden `.partial` file
 * while it downloads. Interrupted with Ctrl-C (SIGINT) — or failing on a corrupt chunk — it must remove that
 * file, so no plaintext is left behind on disk. Real `dsdn-node storage` and the real `dsdn` CLI as child
 * processes; a proxy in front of the node stalls (or corrupts) chunk reads mid-download.
 * Needs `npm run build` first.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = resolve(import.meta.dirname, "../../..");
const root = mkdtempSync(join(tmpdir(), "dsdn-adv-get-"));
const home = join(root, "home");
const children = new Set<ChildProcess>();
let nodeUrl = "";
let proxyUrl = "";
let proxy: http.Server | undefined;
let manifest = "";
const MARKER = "PLAINTEXT-SECRET-LINE ";
/** Chunk GETs served before the proxy starts to stall or corrupt; the manifest GET is always served. */
const mode: { kind: "stall" | "corrupt"; pass: number; served: number } = { kind: "stall", pass: 2, served: 0 };

function spawnTracked(bin: string, args: string[]): ChildProcess {
  const proc = spawn(process.execPath, [join(repo, "bin", bin), ...args], {
    env: { ...process.env, DSDN_HOME: home, DSDN_NODES: "", DSDN_KEYSTORE_PASSPHRASE: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(proc);
  proc.on("exit", () => children.delete(proc));
  return proc;
}

function run(bin: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawnTracked(bin, args);
  let stdout = "";
  let stderr = "";
  proc.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((ok) => proc.on("close", (code) => ok({ code, stdout, stderr })));
}

function startProxy(): Promise<void> {
  proxy = http.createServer(async (req, res) => {
    const isChunk = req.method === "GET" && /\/chunks\//.test(req.url ?? "") && !req.url!.includes(manifest);
    if (isChunk && mode.served >= mode.pass && mode.kind === "stall") return; // hold the request open forever
    const upstream = await fetch(nodeUrl + req.url, {
      method: req.method ?? "GET",
      headers: { range: req.headers.range ?? "" },
    });
    let body = Buffer.from(await upstream.arrayBuffer());
    if (isChunk) {
      mode.served++;
      if (mode.served > mode.pass && mode.kind === "corrupt")
        body = Buffer.concat([body.subarray(0, 16), Buffer.alloc(body.length - 16, 7)]);
    }
    res.writeHead(upstream.status, {
      "content-type": upstream.headers.get("content-type") ?? "application/octet-stream",
    });
    res.end(body);
  });
  return new Promise((ok) =>
    proxy!.listen(0, "127.0.0.1", () => {
      proxyUrl = `http://127.0.0.1:${(proxy!.address() as { port: number }).port}`;
      ok();
    }),
  );
}

beforeAll(async () => {
  const node = spawnTracked("dsdn-node.js", [
    "storage",
    "--data",
    join(root, "node"),
    "--port",
    "0",
    "--zone",
    "z",
    "--open-uploads",
  ]);
  nodeUrl = await new Promise<string>((ok, fail) => {
    let out = "";
    node.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m && /node id/.test(out)) ok(m[1]!);
    });
    node.on("exit", (c) => fail(new Error(`storage node exited ${c}: ${out}`)));
  });
  await startProxy();
  const file = join(root, "secret.txt");
  writeFileSync(file, MARKER.repeat(Math.ceil((6 << 20) / MARKER.length)));
  const up = await run("dsdn.js", ["upload", file, "--node", nodeUrl, "--encrypt", "--chunk-size", "1MiB", "--json"]);
  expect(up.code, up.stderr).toBe(0);
  manifest = JSON.parse(up.stdout).manifest;
});

afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
  proxy?.close();
  rmSync(root, { recursive: true, force: true });
});

const leftovers = (dir: string) => readdirSync(dir);

describe("dsdn get never leaves decrypted plaintext behind", () => {
  it("Ctrl-C during an encrypted get removes the hidden .partial file", async () => {
    const outDir = join(root, "out-sigint");
    mkdirSync(outDir);
    mode.kind = "stall";
    mode.served = 0;
    const proc = spawnTracked("dsdn.js", [
      "get",
      manifest,
      "-o",
      join(outDir, "secret.txt"),
      "--node",
      proxyUrl,
      "--concurrency",
      "1",
    ]);
    let stderr = "";
    proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((ok) => proc.on("close", (code) => ok(code)));
    // Wait until decrypted bytes are on disk in the partial file, then interrupt like a user would.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const partial = leftovers(outDir).find((f) => f.endsWith(".partial"));
      if (partial && statSync(join(outDir, partial)).size > 0) {
        expect(readFileSync(join(outDir, partial)).includes(MARKER)).toBe(true); // it really is plaintext
        break;
      }
      if (Date.now() > deadline) throw new Error(`no partial file appeared: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    proc.kill("SIGINT");
    const code = await exited;
    expect(leftovers(outDir)).toEqual([]);
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted/);
  });

  it("a corrupt chunk fails the get and removes the partial output", async () => {
    const outDir = join(root, "out-corrupt");
    mkdirSync(outDir);
    mode.kind = "corrupt";
    mode.served = 0;
    const r = await run("dsdn.js", [
      "get",
      manifest,
      "-o",
      join(outDir, "secret.txt"),
      "--node",
      proxyUrl,
      "--concurrency",
      "1",
      "--retries",
      "0",
    ]);
    expect(r.code).toBe(1);
    expect(leftovers(outDir)).toEqual([]);
  });

  it("an honest get still writes the whole file", async () => {
    const outDir = join(root, "out-ok");
    mkdirSync(outDir);
    const r = await run("dsdn.js", ["get", manifest, "-o", join(outDir, "secret.txt"), "--node", nodeUrl]);
    expect(r.code, r.stderr).toBe(0);
    expect(leftovers(outDir)).toEqual(["secret.txt"]);
    expect(readFileSync(join(outDir, "secret.txt"), "utf8").startsWith(MARKER)).toBe(true);
  });
});
