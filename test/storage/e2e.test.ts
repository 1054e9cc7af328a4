/**
 * End to end: real `dsdn-node storage` processes and the real `dsdn` CLI as child processes, a 300 MiB file
 * in 16 MiB chunks replicated to two nodes, resume, failover, corruption, encryption and Shamir recovery.
 * Needs `npm run build` first (the bin/ launchers run dist/).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomFillSync } from "node:crypto";
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = resolve(import.meta.dirname, "../..");
const root = mkdtempSync(join(tmpdir(), "dsdn-e2e-storage-"));
const home = join(root, "home");
const children = new Set<ChildProcess>();

interface Node {
  proc: ChildProcess;
  url: string;
  data: string;
}

function startNode(name: string, extra: string[] = []): Promise<Node> {
  const data = join(root, name);
  const proc = spawn(
    process.execPath,
    [
      join(repo, "bin/dsdn-node.js"),
      "storage",
      "--data",
      data,
      "--port",
      "0",
      "--zone",
      `zone-${name}`,
      "--open-uploads",
      ...extra,
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.add(proc);
  proc.on("exit", () => children.delete(proc));
  return new Promise((ok, fail) => {
    let out = "";
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m && /node id [0-9a-f]{64}/.test(out)) ok({ proc, url: m[1]!, data });
    });
    proc.on("exit", (code) => fail(new Error(`node ${name} exited with ${code}: ${out}`)));
  });
}

async function stopNode(n: Node): Promise<void> {
  if (n.proc.exitCode !== null) return;
  const exited = new Promise((ok) => n.proc.once("exit", ok));
  n.proc.kill("SIGTERM");
  await exited;
}

function dsdn(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [join(repo, "bin/dsdn.js"), ...args], {
    env: { ...process.env, DSDN_HOME: home, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(proc);
  let stdout = "";
  let stderr = "";
  proc.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((ok) =>
    proc.on("close", (code) => {
      children.delete(proc);
      ok({ code: code ?? -1, stdout, stderr });
    }),
  );
}

/** The one JSON object `--json` promises on the last line of stdout. */
function lastJson(stdout: string): Record<string, any> {
  return JSON.parse(stdout.trim().split("\n").pop()!);
}

async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const p of createReadStream(path)) h.update(p as Buffer);
  return h.digest("hex");
}

function writeRandomFile(path: string, size: number): string {
  const h = createHash("sha256");
  const fd = openSync(path, "w");
  const buf = Buffer.allocUnsafe(16 * 1024 * 1024);
  for (let left = size; left > 0; ) {
    const n = Math.min(left, buf.length);
    randomFillSync(buf, 0, n);
    writeSync(fd, buf, 0, n);
    h.update(buf.subarray(0, n));
    left -= n;
  }
  closeSync(fd);
  return h.digest("hex");
}

async function createdPuts(n: Node): Promise<number> {
  const text = await (await fetch(`${n.url}/metrics`)).text();
  return Number(/dsdn_storage_chunk_puts_total\{result="created"\} (\d+)/.exec(text)?.[1] ?? 0);
}

function objectFiles(n: Node): string[] {
  const dir = join(n.data, "objects");
  return readdirSync(dir).flatMap((d) => readdirSync(join(dir, d)).map((f) => join(dir, d, f)));
}

const SIZE = 300 * 1024 * 1024;
const CHUNKS = Math.ceil(SIZE / (16 * 1024 * 1024));
let a: Node;
let b: Node;
let bigPath: string;
let bigHash: string;
let manifest: string;

beforeAll(async () => {
  if (!existsSync(join(repo, "dist/clients/dsdn/main.js"))) throw new Error("run `npm run build` first");
  [a, b] = await Promise.all([startNode("a"), startNode("b")]);
  bigPath = join(root, "big.bin");
  bigHash = writeRandomFile(bigPath, SIZE);
});

afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

describe("storage data plane end to end", () => {
  it("uploads 300 MiB in 16 MiB chunks to two nodes and gets it back intact", async () => {
    const up = await dsdn(["upload", bigPath, "--node", a.url, "--node", b.url, "--json"]);
    expect(up.code, up.stderr).toBe(0);
    const res = lastJson(up.stdout);
    manifest = res.manifest;
    expect(manifest).toMatch(/^bafkrei/);
    expect(res.chunks).toBe(CHUNKS);
    expect(res.sent).toBe(2 * (CHUNKS + 1));
    expect(await createdPuts(a)).toBe(CHUNKS + 1);
    expect(up.stderr).not.toMatch(/upload.*%/); // no progress when stderr is not a terminal (a pipe, a CI log)

    const out = join(root, "big.out");
    const get = await dsdn(["get", manifest, "-o", out, "--node", a.url, "--json"]);
    expect(get.code, get.stderr).toBe(0);
    expect(lastJson(get.stdout)).toMatchObject({ manifest, size: SIZE, chunks: CHUNKS });
    expect(await sha256File(out)).toBe(bigHash);
    rmSync(out);
  });

  it("prints the same chunk and manifest CIDs locally with `dsdn chunks put`", async () => {
    const r = await dsdn(["chunks", "put", bigPath, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const res = lastJson(r.stdout);
    expect(res.manifest).toBe(manifest);
    expect(res.chunks).toHaveLength(CHUNKS);
  });

  it("a resumed upload sends only the chunks the node is missing", async () => {
    const files = objectFiles(b).filter((f) => !f.endsWith(manifest));
    rmSync(files[0]!);
    rmSync(files[5]!);
    const before = await createdPuts(b);
    const up = await dsdn(["upload", bigPath, "--node", b.url, "--json"]);
    expect(up.code, up.stderr).toBe(0);
    const res = lastJson(up.stdout);
    expect(res.manifest).toBe(manifest);
    expect(res.sent).toBe(2);
    expect(res.skipped).toBe(CHUNKS + 1 - 2);
    expect((await createdPuts(b)) - before).toBe(2);
  });

  it("fails over to another node when one is down", async () => {
    await stopNode(a);
    const out = join(root, "failover.out");
    const get = await dsdn(["get", manifest, "-o", out, "--node", a.url, "--node", b.url, "--json", "--retries", "1"]);
    expect(get.code, get.stderr).toBe(0);
    expect(lastJson(get.stdout).servedBy).toEqual({ [b.url]: CHUNKS });
    expect(await sha256File(out)).toBe(bigHash);
    rmSync(out);
  });

  it("refuses malformed CIDs and oversized bodies with 4xx and a clear error", async () => {
    const bad = await fetch(`${b.url}/chunks/QmNotACid`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: { code: "DSDN_INVALID_ARGUMENT", message: expect.stringMatching(/CID/) },
    });
    const big = Buffer.alloc(64 * 1024 * 1024 + 4097);
    const put = await fetch(`${b.url}/chunks/${manifest}`, { method: "PUT", body: big });
    expect(put.status).toBe(413);
    expect(((await put.json()) as any).error.code).toBe("DSDN_TOO_LARGE");
    const cli = await dsdn(["get", "not-a-cid", "-o", join(root, "x"), "--node", b.url]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/malformed CID/);
  });

  it("encrypts client-side: node never sees plaintext, same machine decrypts, Shamir t of n recovers elsewhere", async () => {
    const plain = join(root, "secret.bin");
    const plainHash = writeRandomFile(plain, 20 * 1024 * 1024 + 123);
    const shares = join(root, "shares");
    const up = await dsdn([
      "upload",
      plain,
      "--node",
      b.url,
      "--encrypt",
      "--recovery",
      "2/3",
      "--shares-out",
      shares,
      "--chunk-size",
      "4MiB",
      "--json",
    ]);
    expect(up.code, up.stderr).toBe(0);
    const res = lastJson(up.stdout);
    expect(res).toMatchObject({ encrypted: true, chunks: 6 });
    expect(res.shareFiles).toHaveLength(3);

    // Ciphertext ≠ plaintext on disk: no stored object contains any plaintext chunk's opening bytes.
    const fd = openSync(plain, "r");
    const probes = [0, 4, 8].map((mib) => {
      const p = Buffer.alloc(64);
      readSync(fd, p, 0, p.length, mib * 1024 * 1024);
      return p;
    });
    closeSync(fd);
    for (const f of objectFiles(b)) {
      const bytes = readFileSync(f);
      for (const p of probes) expect(bytes.includes(p)).toBe(false);
    }

    const same = join(root, "secret.same");
    const get = await dsdn(["get", res.manifest, "-o", same, "--node", b.url]);
    expect(get.code, get.stderr).toBe(0);
    expect(await sha256File(same)).toBe(plainHash);

    const elsewhere = { DSDN_HOME: join(root, "other-home") };
    const noKey = join(root, "secret.nokey");
    const denied = await dsdn(["get", res.manifest, "-o", noKey, "--node", b.url], elsewhere);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/encrypted and this machine holds no key/);
    expect(existsSync(noKey)).toBe(false);

    const one = await dsdn(["key", "recover", "--shares", res.shareFiles[0]], elsewhere);
    expect(one.code).toBe(1);
    expect(one.stderr).toMatch(/needs 2 of 3 distinct shares, got 1/);

    const keyFile = join(root, "recovered.key");
    const two = await dsdn(
      ["key", "recover", "--shares", res.shareFiles[0], res.shareFiles[2], "--out", keyFile, "--json"],
      elsewhere,
    );
    expect(two.code, two.stderr).toBe(0);
    expect(lastJson(two.stdout).keyId).toBe(res.keyId);
    const viaFile = join(root, "secret.recovered");
    const got = await dsdn(["get", res.manifest, "-o", viaFile, "--node", b.url, "--key-file", keyFile], {
      DSDN_HOME: join(root, "third-home"),
    });
    expect(got.code, got.stderr).toBe(0);
    expect(await sha256File(viaFile)).toBe(plainHash);
  });

  it("a corrupted chunk on disk is detected and refused, and no partial output is left", async () => {
    const victim = objectFiles(b).find((f) => !f.endsWith(manifest) && readFileSync(f).length === 16 * 1024 * 1024)!;
    const fd = openSync(victim, "r+");
    writeSync(fd, Buffer.from([0x42, 0x42, 0x42]), 0, 3, 1000);
    closeSync(fd);
    const outDir = join(root, "corrupt-out");
    mkdirSync(outDir);
    const out = join(outDir, "big.out");
    const get = await dsdn(["get", manifest, "-o", out, "--node", b.url, "--retries", "1"]);
    expect(get.code).toBe(1);
    // Through the translation layer: the title, then the human message as the Detail line.
    expect(get.stderr).toMatch(/Detail: chunk \d+ bafkrei\S+ (is missing on every node|could not be fetched)/);
    expect(get.stderr).toMatch(/failed its integrity check on this node and was quarantined/);
    expect(readdirSync(outDir)).toEqual([]);
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    expect(metrics).toMatch(/dsdn_storage_corrupt_chunks_total 1\n/);
    expect(readdirSync(join(b.data, "quarantine")).length).toBe(1);
  });
});
