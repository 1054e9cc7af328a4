/** @module A job's output on its node: public outputs to anyone; a private job's only to its submitter's signed request (forged, replayed, another account's or another output's request refused). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ComputeClient } from "../../clients/agent/computeClient.js";
import { cidForBytes } from "../../common/cid.js";
import { pubKeyToAddress, secp256k1KeyPair } from "../../common/secp256k1.js";
import { loadOrCreateIdentity } from "../storage/identity.js";
import { LocalFsStorage } from "../storage/localfs.js";
import { type ChunkServer, createChunkServer } from "../storage/server.js";
import { type OutputRequest, signOutputRequest } from "./logRequest.js";
import { registerOutputsRoute } from "./outputsRoute.js";
import { PrivateOutputs } from "./privateOutputs.js";
import type { JobStatus } from "./service.js";

const dir = mkdtempSync(join(tmpdir(), "dsdn-outputs-"));
const owner = secp256k1KeyPair();
const stranger = secp256k1KeyPair();
const secret = new TextEncoder().encode("the private job's answer: 42\n");
const open = new TextEncoder().encode("a public job's answer\n");
const both = new TextEncoder().encode("the same bytes from a private and a public job\n");
const [secretCid, openCid, bothCid] = [secret, open, both].map(cidForBytes) as [string, string, string];
let server: ChunkServer;
let url: string;
let privacy: PrivateOutputs;

beforeAll(async () => {
  const storage = await LocalFsStorage.open(join(dir, "chunks"));
  const outputs = await LocalFsStorage.open(join(dir, "compute-outputs"));
  const identity = await loadOrCreateIdentity(dir);
  server = createChunkServer({ authority: "open", storage, identity, zone: "zone-a" });
  privacy = new PrivateOutputs(join(dir, "compute-private"));
  registerOutputsRoute(server.app, outputs, privacy);
  url = await server.app.listen({ port: 0, host: "127.0.0.1" });
  const ownerAddress = pubKeyToAddress(owner.publicKey);
  privacy.record(secretCid, "private", ownerAddress);
  await outputs.putChunk(secretCid, secret);
  privacy.record(openCid, "", ownerAddress);
  await outputs.putChunk(openCid, open);
  privacy.record(bothCid, "private", ownerAddress);
  privacy.record(bothCid, "", pubKeyToAddress(stranger.publicKey));
  await outputs.putChunk(bothCid, both);
});
afterAll(async () => {
  await server.app.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = async (cid: string, req: OutputRequest | Record<string, unknown>) => {
  const res = await fetch(`${url}/outputs/${cid}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(req),
  });
  return { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()) };
};
const status = (cid: string): JobStatus =>
  ({ jobId: "ab".repeat(32), state: "completed", outputCid: cid, outputEndpoints: [url] }) as unknown as JobStatus;

describe("/outputs/:cid", () => {
  it("a public output is served to anyone; a private one is refused to an anonymous GET", async () => {
    const pub = await fetch(`${url}/outputs/${openCid}`);
    expect(pub.status).toBe(200);
    expect(new Uint8Array(await pub.arrayBuffer())).toEqual(open);
    const priv = await fetch(`${url}/outputs/${secretCid}`);
    expect(priv.status).toBe(403);
    expect(await priv.text()).not.toContain("42");
  });

  it("bytes a public job also produced are public (anyone had them already)", async () => {
    expect((await fetch(`${url}/outputs/${bothCid}`)).status).toBe(200);
    // and stay public when a private job produces them again
    privacy.record(bothCid, "private", pubKeyToAddress(owner.publicKey));
    expect((await fetch(`${url}/outputs/${bothCid}`)).status).toBe(200);
  });

  it("serves a private output to its submitter's signed request", async () => {
    const r = await post(secretCid, signOutputRequest(secretCid, owner));
    expect(r.status).toBe(200);
    expect(r.bytes).toEqual(secret);
  });

  it("refuses another account, a forged signature, a replay, and a request signed for another output", async () => {
    expect((await post(secretCid, signOutputRequest(secretCid, stranger))).status).toBe(403);
    const good = signOutputRequest(secretCid, owner, Date.now() + 1);
    const forged = { ...good, owner: pubKeyToAddress(stranger.publicKey) };
    expect((await post(secretCid, forged)).status).toBe(403);
    expect((await post(secretCid, good)).status).toBe(200);
    expect((await post(secretCid, good)).status).toBe(403); // used once
    expect((await post(secretCid, signOutputRequest(openCid, owner))).status).toBe(400); // names another CID
    expect((await post(secretCid, {})).status).toBe(400);
  });

  it("dsdn job output's client signs for a private output only when asked, with the key it is given", async () => {
    const c = new ComputeClient("http://127.0.0.1:1");
    await expect(c.output(status(secretCid))).rejects.toThrow(/private/);
    await expect(c.output(status(secretCid), async () => stranger)).rejects.toThrow(/submitted its job only/);
    expect(new Uint8Array(await c.output(status(secretCid), async () => owner))).toEqual(secret);
    let asked = false;
    const pub = await c.output(status(openCid), async () => {
      asked = true;
      return owner;
    });
    expect(new Uint8Array(pub)).toEqual(open);
    expect(asked).toBe(false);
  });
});
