/**
 * Attack: a DA node (or anything between us and it) serves a blob whose share commitment matches its data
 * but that is not in the block — invented events injected into blob.GetAll, or answered to blob.Get for a
 * ref the attacker chose. The real `dsdn-node da` runs as a child process behind a tampering JSON-RPC proxy;
 * CelestiaDA must check every blob against the header's data root (blob.GetProof) and refuse the forgeries,
 * while honest blobs still read through the same proxy. Needs `npm run build` first.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IntegrityError } from "../../../common/errors.js";
import { CelestiaDA } from "../../../node-agent/da/celestia/celestiaDA.js";
import { createCommitment } from "../../../node-agent/da/commitment/commitment.js";
import { namespaceFromName } from "../../../node-agent/da/commitment/namespace.js";

const repo = resolve(import.meta.dirname, "../../..");
const root = mkdtempSync(join(tmpdir(), "dsdn-adv-da-"));
const ns = namespaceFromName("dsdn-adversarial");
const nsB64 = Buffer.from(ns).toString("base64");
let daProc: ChildProcess | undefined;
let daUrl = "";
let proxy: http.Server | undefined;
let proxyUrl = "";

/** What the proxy does to answers: pass through, or add/replace with forged blobs and proofs. */
const tamper: { mode: "honest" | "inject" | "answer-forged" | "copy-proof"; stolenProof?: unknown } = {
  mode: "honest",
};
const forgedData = new TextEncoder().encode('{"forged":"a ChunkDeclared nobody posted"}');
const forgedCommitment = createCommitment(ns, forgedData);
const forgedBlob = {
  namespace: nsB64,
  data: Buffer.from(forgedData).toString("base64"),
  share_version: 0,
  commitment: Buffer.from(forgedCommitment).toString("base64"),
  index: 1,
};

function startDA(): Promise<void> {
  const proc = spawn(
    process.execPath,
    [join(repo, "bin/dsdn-node.js"), "da", "--data", join(root, "da"), "--port", "0", "--block-time-ms", "150"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  daProc = proc;
  return new Promise((ok, fail) => {
    let out = "";
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /local DA ready at (http:\/\/\S+)/.exec(out);
      if (m) {
        daUrl = m[1]!;
        ok();
      }
    });
    proc.on("exit", (code) => fail(new Error(`dsdn-node da exited with ${code}: ${out}`)));
  });
}

async function forward(
  body: string,
  auth: string | undefined,
): Promise<{ id: unknown; result?: unknown; error?: unknown }> {
  const res = await fetch(daUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...(auth ? { authorization: auth } : {}) },
    body,
  });
  return (await res.json()) as { id: unknown; result?: unknown };
}

function startProxy(): Promise<void> {
  proxy = http.createServer(async (req, res) => {
    let body = "";
    for await (const c of req) body += c;
    const call = JSON.parse(body) as { method: string; params: unknown[] };
    const answer = await forward(body, req.headers.authorization);
    if (tamper.mode === "inject" && call.method === "blob.GetAll") {
      answer.result = [...((answer.result as unknown[] | null) ?? []), forgedBlob];
    }
    if (tamper.mode !== "honest" && call.method === "blob.Get" && call.params[2] === forgedBlob.commitment) {
      answer.result = forgedBlob;
      delete answer.error;
    }
    if (tamper.mode === "copy-proof" && call.method === "blob.GetProof" && call.params[2] === forgedBlob.commitment) {
      answer.result = tamper.stolenProof;
      delete answer.error;
    }
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(answer));
  });
  return new Promise((ok) =>
    proxy!.listen(0, "127.0.0.1", () => {
      proxyUrl = `http://127.0.0.1:${(proxy!.address() as { port: number }).port}`;
      ok();
    }),
  );
}

const token = (perm: string) => readFileSync(join(root, "da", `${perm}.token`), "utf8").trim();
const client = (url: string, perm: string) =>
  new CelestiaDA({ url, authToken: token(perm), namespace: ns, timeoutMs: 5000, retryCount: 0, retryDelayMs: 50 });

beforeAll(async () => {
  await startDA();
  await startProxy();
});

afterAll(async () => {
  daProc?.kill("SIGKILL");
  proxy?.close();
  rmSync(root, { recursive: true, force: true });
});

describe("verified DA reads against a tampering DA node", () => {
  let height = 0n;
  let honestData: Uint8Array;
  let writer: CelestiaDA;
  let reader: CelestiaDA;

  beforeAll(async () => {
    writer = client(daUrl, "write");
    reader = client(proxyUrl, "read");
    honestData = new TextEncoder().encode('{"honest":"a real event"}');
    height = (await writer.postBlob(honestData)).height;
  });
  afterAll(async () => {
    await writer.close();
    await reader.close();
  });

  it("honest blobs read through the proxy, with their inclusion proven", async () => {
    tamper.mode = "honest";
    const all = await reader.getAll(height);
    expect(all.blobs.map((b) => Buffer.from(b.data).toString())).toEqual([Buffer.from(honestData).toString()]);
    expect(Buffer.from(await reader.getBlob(all.blobs[0]!.ref)).toString()).toBe(Buffer.from(honestData).toString());
  });

  it("refuses a forged blob injected into blob.GetAll although its commitment matches its data", async () => {
    tamper.mode = "inject";
    const err = await reader.getAll(height).catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(String(err.message)).toMatch(/no inclusion proof|not included under the header's data root/);
  });

  it("refuses a forged blob answered to blob.Get, with no proof or with a real blob's proof", async () => {
    const ref = { layer: "celestia" as const, height, commitment: forgedCommitment, namespace: ns };
    tamper.mode = "answer-forged";
    await expect(reader.getBlob(ref)).rejects.toBeInstanceOf(IntegrityError);
    tamper.mode = "honest";
    const honestRef = (await reader.getAll(height)).blobs[0]!.ref;
    tamper.stolenProof = (
      await forward(
        JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "blob.GetProof",
          params: [Number(height), nsB64, Buffer.from(honestRef.commitment).toString("base64")],
        }),
        `Bearer ${token("read")}`,
      )
    ).result;
    expect(tamper.stolenProof).toBeTruthy();
    tamper.mode = "copy-proof";
    await expect(reader.getBlob(ref)).rejects.toThrow(/not included under the header's data root/);
  });
});
