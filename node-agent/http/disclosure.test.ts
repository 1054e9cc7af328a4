/** @module Progressive disclosure: the shared layer, then every route family at each level, then a restart that replays DA and answers the same. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { ErrorCode, InvalidArgumentError } from "../../common/errors.js";
import { toHex } from "../../common/hash.js";
import type { ChainView } from "../coordinator/chainView.js";
import { Coordinator } from "../coordinator/coordinator.js";
import { coordinatorRoutes } from "../coordinator/routes.js";
import { silentLogger } from "../da/events/logger.js";
import { LocalDAServer } from "../da/localserver/server.js";
import { MemoryDA } from "../da/memoryDA.js";
import { replayConfig } from "../da/replay/config.js";
import { ReplayFollower } from "../da/replay/follower.js";
import { type FakeServer, fakeComet, fakeCoordinator, fakeDA } from "../dashboard/fakeUpstreams.js";
import { createDashboard } from "../dashboard/server.js";
import { createIngress } from "../ingress/ingress.js";
import { loadOrCreateIdentity } from "../storage/identity.js";
import { LocalFsStorage } from "../storage/localfs.js";
import { createChunkServer } from "../storage/server.js";
import { collectAudit, disclose, LEVELS, registerDisclosure } from "./disclosure.js";

/** The shape contract every route family must keep at each level. */
function expectLevel(body: Record<string, unknown>, level: number) {
  expect(typeof body.summary, JSON.stringify(body)).toBe("string");
  expect((body.summary as string).length).toBeGreaterThan(5);
  if (level === 0) expect(Object.keys(body)).toEqual(["summary"]);
  if (level >= 1) expect(typeof body.details).toBe("object");
  if (level < 3) expect(body.audit).toBeUndefined();
  if (level === 3) expect(typeof body.audit).toBe("object");
}

describe("disclosure layer", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    registerDisclosure(app, { service: "test service", audit: () => ({ daHeight: "9" }) });
    app.get(
      "/thing",
      {
        schema: { querystring: { type: "object", additionalProperties: false, properties: { x: { type: "string" } } } },
      },
      async () => ({ name: "a", count: 2, nested: { receiptHash: "ab".repeat(32), list: [{ txhash: "CD" }] } }),
    );
    app.get("/bytes", async (_r, reply) => reply.type("application/octet-stream").send(Buffer.from("raw")));
    app.get("/fail", async () => {
      throw new InvalidArgumentError("cid is not valid");
    });
    app.setErrorHandler((err, _req, reply) =>
      reply.code(400).send({
        error: { code: (err as { code?: string }).code, message: (err as InvalidArgumentError).shortMessage },
      }),
    );
    await app.ready();
  });
  afterAll(() => app.close());

  it("no level: the body existing clients parse, unchanged", async () => {
    expect((await app.inject("/thing")).json()).toEqual({ name: "a", count: 2, nested: expect.any(Object) });
  });

  it("levels 0–3: a sentence, key facts, every detail, then the audit anchors (even where the route schema strips unknown query keys)", async () => {
    for (const level of LEVELS) {
      const b = (await app.inject(`/thing?level=${level}`)).json();
      expectLevel(b, level);
      if (level === 1) expect(b.details).toEqual({ name: "a", count: 2 });
      if (level === 2) expect(b.details.nested.list[0].txhash).toBe("CD");
      if (level === 3)
        expect(b.audit).toEqual({ daHeight: "9", "nested.receiptHash": "ab".repeat(32), "nested.list.0.txhash": "CD" });
    }
  });

  it("a bad level is refused with a translated error; bytes are never wrapped", async () => {
    const r = await app.inject("/thing?level=7");
    expect(r.statusCode).toBe(400);
    expect(r.json().error.title).toBe("Invalid input");
    expect((await app.inject("/bytes?level=3")).body).toBe("raw");
  });

  it("errors carry title, what happened and what to do, in the asked language", async () => {
    const en = (await app.inject("/fail")).json();
    expect(en.error).toMatchObject({
      code: ErrorCode.InvalidArgument,
      message: "cid is not valid",
      title: "Invalid input",
    });
    const id = (await app.inject({ url: "/fail", headers: { "accept-language": "id-ID,id;q=0.9,en;q=0.5" } })).json();
    expect(id.error.title).toBe("Masukan tidak valid");
    expect(id.error.whatToDo).toMatch(/Periksa/);
    const l0 = (await app.inject("/fail?level=0&lang=id")).json();
    expect(l0).toEqual({ summary: "Masukan tidak valid: cid is not valid" });
  });

  it("audit collection is bounded", () => {
    const many = { list: Array.from({ length: 1000 }, (_, i) => ({ hash: String(i) })) };
    expect(Object.keys(collectAudit(many)).length).toBe(256);
    expect(disclose({ a: 1 }, 0, { summary: "s" })).toEqual({ summary: "s" });
  });
});

const chain: ChainView = {
  admission: async () => ({ admitted: false, refusals: ["not_registered"] }),
  height: async () => 1n,
  node: async () => undefined,
  stakeWeight: async () => 0n,
  close() {},
};

describe("route families at levels 0–3", () => {
  let tmp: string;
  const closers: (() => Promise<unknown>)[] = [];
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "dsdn-disclosure-"));
  });
  afterAll(async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
    rmSync(tmp, { recursive: true, force: true });
  });

  const seed = ed25519KeyPair().secretKey;
  const key = toHex(ed25519KeyPair(seed).publicKey);
  const startCoordinator = async (da: MemoryDA, dir: string) => {
    const c = new Coordinator({
      da,
      secretKey: seed,
      dataDir: join(tmp, dir),
      replay: replayConfig({ coordinators: [key] }),
      chain,
      healthIntervalMs: 100_000,
      reconcileIntervalMs: 100_000,
      challengeIntervalMs: 0,
      allowPrivateEndpoints: true,
      logger: silentLogger,
    });
    await c.start();
    const app = coordinatorRoutes(c);
    await app.ready();
    return { c, app };
  };

  it("coordinator: health, nodes, status and errors at every level; a restart that replays DA answers identically", async () => {
    const da = new MemoryDA();
    const first = await startCoordinator(da, "coord-a");
    closers.push(() => first.c.stop());
    const urls = ["/health", "/nodes", "/status/bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"];
    const answers: Record<string, unknown>[] = [];
    for (const url of urls)
      for (const level of LEVELS) {
        const r = await first.app.inject(`${url}?level=${level}`);
        const b = r.json();
        expectLevel(b, level);
        if (url === "/health" && level === 0) expect(b.summary).toMatch(/^Coordinator is ok at DA height \d+\.$/);
        if (url.startsWith("/status") && level === 1) expect(b.details.code).toBe(ErrorCode.NotFound);
        if (level === 3)
          expect(b.audit).toMatchObject({ daHeight: expect.any(String), stateDigest: expect.any(String) });
        if (!url.startsWith("/health")) answers.push(b);
      }
    // Restart from scratch (a new data dir): the answers come only from what DA holds, not from the old process.
    await first.c.stop();
    const second = await startCoordinator(da, "coord-b");
    closers.push(() => second.c.stop());
    expect(second.c.follower.height).toBe(first.c.follower.height);
    const again: Record<string, unknown>[] = [];
    for (const url of urls.slice(1))
      for (const level of LEVELS) again.push((await second.app.inject(`${url}?level=${level}`)).json());
    expect(again).toEqual(answers);
  });

  it("storage node: health and a stored chunk at every level; chunk bytes are never wrapped", async () => {
    const dir = join(tmp, "node");
    const { app } = createChunkServer({
      storage: await LocalFsStorage.open(dir),
      identity: await loadOrCreateIdentity(dir),
      zone: "zone-a",
      authority: "open",
    });
    closers.push(() => app.close());
    await app.ready();
    const bytes = Buffer.from("hello disclosure");
    const { cidForBytes } = await import("../../common/cid.js");
    const cid = cidForBytes(bytes);
    for (const level of LEVELS) {
      const put = await app.inject({
        method: "PUT",
        url: `/chunks/${cid}?level=${level}`,
        payload: bytes,
        headers: { "content-type": "application/octet-stream" },
      });
      expectLevel(put.json(), level);
      if (level === 3) expect(put.json().audit.ack).toMatch(/^[A-Za-z0-9+/=]+$/);
      expectLevel((await app.inject(`/health?level=${level}`)).json(), level);
    }
    expect((await app.inject(`/chunks/${cid}?level=3`)).body).toBe("hello disclosure");
  });

  it("ingress: health at every level", async () => {
    const da = new MemoryDA();
    const follower = new ReplayFollower({ da, config: replayConfig({ coordinators: [key] }), logger: silentLogger });
    follower.start();
    const ing = createIngress({ da, follower, probeIntervalMs: 100_000 });
    closers.push(async () => {
      await ing.stop();
      await follower.stop();
    });
    for (const level of LEVELS) expectLevel((await ing.app.inject(`/health?level=${level}`)).json(), level);
  });

  it("local DA server: GET /health and the 405 answer at every level, with the head's header hash and data root", async () => {
    const s = await LocalDAServer.start({ dataDir: join(tmp, "da"), port: 0, blockTimeMs: 60_000 });
    closers.push(() => s.stop());
    for (const level of LEVELS) {
      const h = (await (await fetch(`${s.url}/health?level=${level}`)).json()) as Record<string, any>;
      expectLevel(h, level);
      if (level === 3)
        expect(h.audit).toMatchObject({ daHeight: "1", headerHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      const r = await fetch(`${s.url}/anything?level=${level}`, { method: "PUT" });
      expect(r.status).toBe(405);
      expectLevel((await r.json()) as Record<string, unknown>, level);
    }
  });

  it("dashboard API: all panels and one panel at every level; a panel's own audit list is its level-3 audit", async () => {
    const ups: FakeServer[] = await Promise.all([fakeComet(), fakeDA(), fakeCoordinator()]);
    closers.push(() => Promise.all(ups.map((u) => u.close())));
    const [comet, daFake, coord] = ups as [FakeServer, FakeServer, FakeServer];
    const app = createDashboard({ rpcUrl: comet.url, daUrl: daFake.url, coordinatorUrl: coord.url, cacheMs: 0 });
    closers.push(() => app.close());
    for (const level of LEVELS) {
      const all = (await app.inject(`/api/v1/panels?level=${level}`)).json();
      expectLevel(all, level);
      const one = (await app.inject(`/api/v1/panels/chain?level=${level}`)).json();
      expectLevel(one, level);
      if (level === 0) expect(one.summary).toBe("chain: up to date.");
      if (level === 3) expect(JSON.stringify(one.audit.chain)).toContain("ABCDEF");
    }
  });
});
