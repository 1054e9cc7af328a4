/** @module A job's logs on its node: the submitter reads them with a signed request; anyone else, a forged, stale or replayed request is refused. */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ComputeClient } from "../../clients/agent/computeClient.js";
import { pubKeyToAddress, secp256k1KeyPair } from "../../common/secp256k1.js";
import { loadOrCreateIdentity } from "../storage/identity.js";
import { LocalFsStorage } from "../storage/localfs.js";
import { type ChunkServer, createChunkServer } from "../storage/server.js";
import { JobLogStore } from "./jobLogs.js";
import { type LogRequest, signLogRequest } from "./logRequest.js";
import { registerLogsRoute } from "./logsRoute.js";
import type { JobStatus } from "./service.js";
import { MAX_LOG_LINE, MAX_LOG_LINES } from "./signed.js";

const dir = mkdtempSync(join(tmpdir(), "dsdn-joblogs-"));
const owner = secp256k1KeyPair();
const stranger = secp256k1KeyPair();
const jobId = randomBytes(32).toString("hex");
let server: ChunkServer;
let url: string;
let store: JobLogStore;

beforeAll(async () => {
  const storage = await LocalFsStorage.open(join(dir, "chunks"));
  const identity = await loadOrCreateIdentity(dir);
  server = createChunkServer({ authority: "open", storage, identity, zone: "zone-a" });
  store = new JobLogStore(join(dir, "compute-logs"));
  registerLogsRoute(server.app, store);
  url = await server.app.listen({ port: 0, host: "127.0.0.1" });
  store.put({
    jobId,
    owner: pubKeyToAddress(owner.publicKey),
    state: "completed",
    reason: "",
    logs: ["started", "wc done"],
  });
});
afterAll(async () => {
  await server.app.close();
  rmSync(dir, { recursive: true, force: true });
});

const ask = async (req: LogRequest | Record<string, unknown>, id = jobId) => {
  const res = await fetch(`${url}/jobs/${id}/logs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(req),
  });
  const body = (await res.json()) as Record<string, any>;
  return { status: res.status, body };
};

describe("POST /jobs/:id/logs", () => {
  it("serves the job's lines to its submitter", async () => {
    const r = await ask(signLogRequest(jobId, owner));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ jobId, state: "completed", reason: null, logs: ["started", "wc done"] });
  });

  it("attack: another account's valid signature gets 403 and no lines", async () => {
    const r = await ask(signLogRequest(jobId, stranger));
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe("DSDN_UNAUTHORIZED");
    expect(JSON.stringify(r.body)).not.toContain("wc done");
  });

  it("attack: a stranger's signature relabelled with the owner's address is refused", async () => {
    const forged = { ...signLogRequest(jobId, stranger), owner: pubKeyToAddress(owner.publicKey) };
    expect((await ask(forged)).status).toBe(403);
  });

  it("attack: the owner's request for one job does not open another", async () => {
    const other = randomBytes(32).toString("hex");
    store.put({ jobId: other, owner: pubKeyToAddress(owner.publicKey), state: "running", reason: "", logs: ["x"] });
    expect((await ask({ ...signLogRequest(jobId, owner), jobId: other }, other)).status).toBe(403);
    expect((await ask(signLogRequest(jobId, owner), other)).status).toBe(400);
  });

  it("attack: a captured request cannot be replayed, and a stale one is refused", async () => {
    const once = signLogRequest(jobId, owner);
    expect((await ask(once)).status).toBe(200);
    expect((await ask(once)).status).toBe(403);
    expect((await ask(signLogRequest(jobId, owner, Date.now() - 10 * 60_000))).status).toBe(403);
  });

  it("answers 404 for a job this node holds no logs of, and 400 for a malformed body", async () => {
    const unknown = randomBytes(32).toString("hex");
    expect((await ask(signLogRequest(unknown, owner), unknown)).status).toBe(404);
    expect((await ask({ jobId, signedAtMs: "soon" })).status).toBe(400);
    expect((await ask(signLogRequest("zz", owner), "zz")).status).toBe(400);
  });

  it("the SDK's ComputeClient.logs reads them with the owner's key and relays a stranger's refusal", async () => {
    const status = { jobId, state: "completed", nodeEndpoints: [url] } as unknown as JobStatus;
    const c = new ComputeClient("http://127.0.0.1:1");
    expect((await c.logs(status, owner)).logs).toEqual(["started", "wc done"]);
    await expect(c.logs(status, stranger)).rejects.toMatchObject({ code: "DSDN_UNAUTHORIZED" });
  });
});

describe("--verbose: the same read at disclosure level 3", () => {
  it("gives the same lines and hands the answer's audit (the node's anchors) to the sink; refusals keep their code", async () => {
    const status = { jobId, state: "completed", nodeEndpoints: [url] } as unknown as JobStatus;
    const audits: Record<string, unknown>[] = [];
    const c = new ComputeClient("http://127.0.0.1:1", { audit: (a) => audits.push({ ...a }) });
    expect((await c.logs(status, owner)).logs).toEqual(["started", "wc done"]);
    expect(audits).toHaveLength(1);
    expect(Object.keys(audits[0]!).length).toBeGreaterThan(0);
    await expect(c.logs(status, stranger)).rejects.toMatchObject({ code: "DSDN_UNAUTHORIZED" });
  });
});

describe("JobLogStore bounds", () => {
  it("keeps the newest lines of a job, each cut, and only the newest jobs", () => {
    const d = join(dir, "bounded");
    const s = new JobLogStore(d, 3);
    const id = (n: number) => n.toString(16).padStart(64, "0");
    const lines = Array.from({ length: MAX_LOG_LINES + 10 }, (_, i) => `${i}:${"y".repeat(MAX_LOG_LINE)}`);
    s.put({ jobId: id(1), owner: "nusa1x", state: "failed", reason: "r".repeat(10_000), logs: lines });
    const r = s.get(id(1))!;
    expect(r.logs).toHaveLength(MAX_LOG_LINES);
    expect(r.logs[0]!.startsWith("10:")).toBe(true);
    expect(r.logs.every((l) => l.length <= MAX_LOG_LINE)).toBe(true);
    expect(r.reason.length).toBeLessThanOrEqual(MAX_LOG_LINE);
    for (let n = 2; n <= 6; n++) s.put({ jobId: id(n), owner: "nusa1x", state: "running", reason: "", logs: [] });
    expect(readdirSync(d)).toHaveLength(3);
    expect(() => s.put({ jobId: "../escape", owner: "nusa1x", state: "running", reason: "", logs: [] })).toThrow();
    expect(s.get("../../etc/passwd")).toBeUndefined();
  });
});
